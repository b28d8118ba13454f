package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// hdfsKey maps one HDFS configuration key to an hbsim setting, converting
// HDFS's units (plain seconds, plain milliseconds) to hbsim's values.
type hdfsKey struct {
	key     string
	convert func(v string) (any, error)
}

func hdfsSeconds(v string) (any, error) {
	// dfs.heartbeat.interval is seconds, with unit suffixes allowed.
	if wholeNumber.MatchString(v) {
		return hdfsUnits(v, time.Second)
	}
	if d, err := parseDuration(v); err == nil {
		return d.String(), nil
	} else if strings.Contains(err.Error(), "too long") {
		return nil, err
	}
	return nil, fmt.Errorf("want whole seconds or a duration such as 3s, got %s", hint.Quote(v))
}

func hdfsMillis(v string) (any, error) {
	if !wholeNumber.MatchString(v) {
		return nil, fmt.Errorf("want whole milliseconds, got %s", hint.Quote(v))
	}
	return hdfsUnits(v, time.Millisecond)
}

var wholeNumber = regexp.MustCompile(`^[-+]?[0-9]+$`)

// hdfsUnits reads a whole number of units (HDFS's plain seconds or
// milliseconds) in checked arithmetic: 18446744074 seconds is refused, not
// wrapped round to 290ms.
func hdfsUnits(v string, unit time.Duration) (any, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	d, ok := vtime.Mul(n, unit)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s %s is too long: at most %s", hint.Clip(v), unitName[unit], vtime.MaxText)
	}
	return d.String(), nil
}

var unitName = map[time.Duration]string{time.Second: "seconds", time.Millisecond: "milliseconds"}

func hdfsString(v string) (any, error) { return v, nil }

func hdfsSet(v string) (any, error) { return strings.TrimSpace(v) != "", nil }

// hdfsKeys are the HDFS keys hbsim understands.
var hdfsKeys = map[string]hdfsKey{
	"dfs.heartbeat.interval":                  {"heartbeat.interval", hdfsSeconds},
	"dfs.namenode.heartbeat.recheck-interval": {"heartbeat.hdfs.recheck_interval", hdfsMillis},
	"dfs.namenode.stale.datanode.interval":    {"heartbeat.stale_after", hdfsMillis},
	"dfs.namenode.avoid.write.stale.datanode": {"io.avoid_write_stale", hdfsString},
	"dfs.datanode.lifeline.interval.seconds":  {"heartbeat.lifeline.interval", hdfsSeconds},
	// HDFS runs the lifeline server only when its address is set.
	"dfs.namenode.lifeline.rpc-address":   {"heartbeat.lifeline.enabled", hdfsSet},
	"dfs.namenode.handler.count":          {"namenode.handlers", hdfsString},
	"dfs.namenode.lifeline.handler.count": {"namenode.lifeline_handlers", hdfsString},
}

// HDFSKeys lists the HDFS keys hbsim reads, with the setting each sets.
func HDFSKeys() map[string]string {
	out := make(map[string]string, len(hdfsKeys))
	for k, v := range hdfsKeys {
		out[k] = v.key
	}
	return out
}

// unknownHDFSKey says an HDFS key is not one hbsim models, with the one the
// user probably meant.
func unknownHDFSKey(key string) string {
	msg := "hbsim does not model this HDFS key"
	if dym := hint.DidYouMean(key, sortedHDFSKeys()); dym != "" {
		return msg + "; " + dym
	}
	return msg + fmt.Sprintf(" (it reads %d: the README's Settings section lists them)", len(hdfsKeys))
}

func sortedHDFSKeys() []string {
	keys := make([]string, 0, len(hdfsKeys))
	for k := range hdfsKeys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TranslateHDFS turns an HDFS key and value into an hbsim setting; ok is
// false for a key hbsim does not model.
func TranslateHDFS(name, value string) (key string, v any, ok bool, err error) {
	h, ok := hdfsKeys[strings.TrimSpace(name)]
	if !ok {
		return "", nil, false, nil
	}
	v, err = h.convert(strings.TrimSpace(value))
	if err != nil {
		return h.key, nil, true, &FieldError{Field: name, Err: err}
	}
	return h.key, v, true, nil
}

// ReadHDFSSite reads the properties hbsim models from an hdfs-site.xml,
// each with its file:line as origin. Keys hbsim does not model are
// returned in ignored, so the caller can say so.
func ReadHDFSSite(path string) (settings []Setting, ignored []string, err error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read hdfs-site: %w", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var errs []error
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, nil, fmt.Errorf("%s:%d: not well-formed XML: %w", path, line, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "property" {
			continue
		}
		line, _ := dec.InputPos()
		var prop struct {
			Name  string `xml:"name"`
			Value string `xml:"value"`
		}
		if err := dec.DecodeElement(&prop, &start); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: property: %w", path, line, err)
		}
		key, v, known, err := TranslateHDFS(prop.Name, prop.Value)
		switch {
		case !known:
			ignored = append(ignored, strings.TrimSpace(prop.Name))
		case err != nil:
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, line, err))
		default:
			settings = append(settings, Setting{Key: key, Value: v, Origin: fmt.Sprintf("%s:%d (%s)", path, line, strings.TrimSpace(prop.Name))})
		}
	}
	return settings, ignored, errors.Join(errs...)
}
