package hint

import (
	"strings"
	"testing"
)

var settings = []string{"heartbeat.interval", "heartbeat.check_interval", "heartbeat.miss_threshold",
	"heartbeat.lifeline.interval", "replication.interval", "network.latency", "network.jitter"}

func TestClosest(t *testing.T) {
	for _, tt := range []struct {
		word, want string
		among      []string
	}{
		{"heartbeat.miss_treshold", "heartbeat.miss_threshold", settings},
		{"heartbeat.intervall", "heartbeat.interval", settings},
		{"HEARTBEAT.MISS-THRESHOLD", "heartbeat.miss_threshold", settings},
		{"interval", "heartbeat.interval heartbeat.lifeline.interval replication.interval", settings},
		{"netwrok.latency", "network.latency", settings},
		{"kil", "kill", []string{"kill", "restart", "pause"}},
		{"durration", "duration", []string{"name", "duration", "cluster"}},
		{"HBSIM_HEARTBEAT_INTERVALL", "HBSIM_HEARTBEAT_INTERVAL", []string{"HBSIM_HEARTBEAT_INTERVAL", "HBSIM_NETWORK_LOSS"}},
		{"bogus", "", settings},
		{"", "", settings},
		{strings.Repeat("x", 5000), "", settings},
	} {
		if got := strings.Join(Closest(tt.word, tt.among), " "); got != tt.want {
			t.Errorf("Closest(%.30q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	if got := DidYouMean("interval", settings); got != "did you mean heartbeat.interval, heartbeat.lifeline.interval or replication.interval?" {
		t.Errorf("got %q", got)
	}
	if got := DidYouMean("zzz", settings); got != "" {
		t.Errorf("got %q, want nothing", got)
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("3s"); got != `"3s"` {
		t.Errorf("Quote(3s) = %s", got)
	}
	long := strings.Repeat("é", 1000) // 2000 bytes
	got := Quote(long)
	if len(got) > MaxQuote+40 || !strings.HasSuffix(got, "… (1800 bytes more)") {
		t.Errorf("Quote(long) = %s (%d bytes)", got, len(got))
	}
	if got := Clip(strings.Repeat("a", 300)); !strings.HasSuffix(got, "… (100 bytes more)") {
		t.Errorf("Clip = %s", got)
	}
	// FuzzSet found a key with a newline splitting a message in two.
	if got := Clip("0\n\n0"); got != `"0\n\n0"` {
		t.Errorf("Clip of a name with newlines = %s", got)
	}
}

func TestClosestSegments(t *testing.T) {
	keys := append(settings, "heartbeat.phi.threshold")
	for word, want := range map[string]string{
		"heartbeat.treshold": "heartbeat.miss_threshold heartbeat.phi.threshold",
		"miss_threshold":     "heartbeat.miss_threshold",
		"miss_treshold":      "heartbeat.miss_threshold",
	} {
		if got := strings.Join(Closest(word, keys), " "); got != want {
			t.Errorf("Closest(%q) = %q, want %q", word, got, want)
		}
	}
}
