package scenario

import (
	"os"
	"testing"
)

// FuzzParse checks that no input makes Parse panic; errors are fine.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"single-crash", "crash-and-restart", "threshold-too-low"} {
		if data, err := os.ReadFile("../../scenarios/" + name + ".yaml"); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"name: x\nduration: 1m\ncluster: [a, a]\n",
		head + "events:\n  - {at: 1m, restart: [dn1, dn9]}\nexpect:\n  - {metric: nodes.dn1.crashes.0, min: 1}\n",
		"a: &x [*x]\n",
		"{name: [}, duration: {",
		"cluster: {datanodes: 99999999999999999999}\n",
		"expect: [{false_positives: {min: .nan}}, {metric: totals, max: 1e400}]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data, Options{Env: noEnv})
		if err == nil && (sc == nil || sc.Name == "" || len(sc.Nodes) == 0 || sc.Duration <= 0) {
			t.Fatalf("accepted an incomplete scenario: %+v", sc)
		}
	})
}
