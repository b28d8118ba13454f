package golden

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Change is one difference between the golden report and the new one.
type Change struct {
	// Path is dotted: nodes.dn3.detection_ms, events.6.t_ms; "" for the
	// whole document.
	Path string
	// Old and New are the values as compact JSON; Old is empty for an
	// added path, New for a removed one. A Note replaces both when one
	// line stands for many changes ("14 more items differ").
	Old, New string
	Note     string
}

func (c Change) String() string {
	p := c.Path
	if p == "" {
		p = "(report)"
	}
	switch {
	case c.Note != "":
		return p + ": " + c.Note
	case c.Old == "":
		return p + ": added " + c.New
	case c.New == "":
		return p + ": removed (was " + c.Old + ")"
	}
	return p + ": " + c.Old + " → " + c.New
}

// itemsShown bounds how many differing items of one list matched by index
// are listed: when a detection moves, every later event and series sample
// may shift, and a hundred lines would hide the change that matters.
const itemsShown = 5

// Diff compares two JSON documents: want (the golden) and got (this run).
// It returns no changes when they are equal as JSON values (key order and
// spacing do not count; 31000 and 31000.0 are equal).
func Diff(want, got []byte) ([]Change, error) {
	w, err := decode(want)
	if err != nil {
		return nil, fmt.Errorf("golden report: %w", err)
	}
	g, err := decode(got)
	if err != nil {
		return nil, fmt.Errorf("new report: %w", err)
	}
	var d differ
	d.diff(nil, w, g)
	return d.changes, nil
}

type differ struct{ changes []Change }

func (d *differ) add(path []string, old, new any, oldOK, newOK bool) {
	c := Change{Path: strings.Join(path, ".")}
	if oldOK {
		c.Old = render(old)
	}
	if newOK {
		c.New = render(new)
	}
	d.changes = append(d.changes, c)
}

func (d *differ) diff(path []string, a, b any) {
	switch x := a.(type) {
	case *object:
		if y, ok := b.(*object); ok {
			d.objects(path, x, y)
			return
		}
	case []any:
		if y, ok := b.([]any); ok {
			if ka, kb := ids(x), ids(y); ka != nil && kb != nil {
				d.keyed(path, x, y, ka, kb)
			} else {
				d.indexed(path, x, y)
			}
			return
		}
	}
	if !equalScalar(a, b) {
		d.add(path, a, b, true, true)
	}
}

func (d *differ) objects(path []string, a, b *object) {
	for _, k := range a.keys {
		p := appendPath(path, k)
		if bv, ok := b.vals[k]; ok {
			d.diff(p, a.vals[k], bv)
		} else {
			d.add(p, a.vals[k], nil, true, false)
		}
	}
	for _, k := range b.keys {
		if _, ok := a.vals[k]; !ok {
			d.add(appendPath(path, k), nil, b.vals[k], false, true)
		}
	}
}

// keyed compares two lists of objects by their "id" fields, in the order
// of the golden list, then items only the new list has.
func (d *differ) keyed(path []string, a, b []any, ka, kb []string) {
	byID := make(map[string]any, len(b))
	for i, id := range kb {
		byID[id] = b[i]
	}
	inA := make(map[string]bool, len(a))
	for i, id := range ka {
		inA[id] = true
		p := appendPath(path, id)
		if bv, ok := byID[id]; ok {
			d.diff(p, a[i], bv)
		} else {
			d.add(p, a[i], nil, true, false)
		}
	}
	for i, id := range kb {
		if !inA[id] {
			d.add(appendPath(path, id), nil, b[i], false, true)
		}
	}
}

// indexed compares two lists position by position, listing at most
// itemsShown differing items and summing up the rest.
func (d *differ) indexed(path []string, a, b []any) {
	shown, more := 0, 0
	for i := 0; i < max(len(a), len(b)); i++ {
		p := appendPath(path, strconv.Itoa(i))
		var sub differ
		switch {
		case i >= len(a):
			sub.add(p, nil, b[i], false, true)
		case i >= len(b):
			sub.add(p, a[i], nil, true, false)
		default:
			sub.diff(p, a[i], b[i])
		}
		if len(sub.changes) == 0 {
			continue
		}
		if shown < itemsShown {
			d.changes = append(d.changes, sub.changes...)
			shown++
		} else {
			more++
		}
	}
	if len(a) != len(b) {
		d.changes = append(d.changes, Change{Path: strings.Join(path, "."),
			Note: fmt.Sprintf("%d items → %d items", len(a), len(b))})
	}
	if more > 0 {
		d.changes = append(d.changes, Change{Path: strings.Join(path, "."),
			Note: moreItems(more)})
	}
}

// ids returns the "id" of every element if all are objects with distinct
// string ids, else nil. An empty list has no ids: it is compared by index,
// which for an empty list means listing what was added.
func ids(list []any) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	seen := make(map[string]bool, len(list))
	for i, e := range list {
		obj, ok := e.(*object)
		if !ok {
			return nil
		}
		id, ok := obj.vals["id"].(string)
		if !ok || seen[id] {
			return nil
		}
		seen[id] = true
		out[i] = id
	}
	return out
}

func equalScalar(a, b any) bool {
	na, aNum := a.(json.Number)
	nb, bNum := b.(json.Number)
	if aNum && bNum {
		if na == nb {
			return true
		}
		fa, errA := na.Float64()
		fb, errB := nb.Float64()
		return errA == nil && errB == nil && fa == fb
	}
	if aNum || bNum {
		return false
	}
	switch a.(type) {
	case *object, []any:
		return false // b is not of the same kind, or diff would have recursed
	}
	return a == b
}

func appendPath(path []string, seg string) []string {
	return append(path[:len(path):len(path)], seg)
}

func moreItems(n int) string {
	if n == 1 {
		return "1 more item differs"
	}
	return fmt.Sprintf("%d more items differ", n)
}
