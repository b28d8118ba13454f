package tune

import (
	"errors"
	"fmt"
	"math"
)

// Targets are CTA's QoS requirements, in seconds: T_D ≤ MaxDetection,
// E(T_MR) ≥ MinRecurrence and, when MaxDuration > 0, E(T_M) ≤ MaxDuration.
type Targets struct {
	MaxDetection  float64 // T_D^U
	MinRecurrence float64 // T_MR^L
	MaxDuration   float64 // T_M^U; 0: no bound
}

// Validate rejects targets no procedure can work with.
func (t Targets) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
		zero bool
	}{{"max detection", t.MaxDetection, false}, {"min mistake recurrence", t.MinRecurrence, false}, {"max mistake duration", t.MaxDuration, true}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 || (f.v == 0 && !f.zero) {
			return fmt.Errorf("%s %v: want a positive, finite time", f.name, f.v)
		}
	}
	return nil
}

// durationBound is T_M^U with "no bound" as +Inf.
func (t Targets) durationBound() float64 {
	if t.MaxDuration <= 0 {
		return math.Inf(1)
	}
	return t.MaxDuration
}

// CTANetwork is the network of CTA's analysis: each message is lost with
// probability Loss, independently, and otherwise delayed by D, drawn
// independently from a distribution.
type CTANetwork struct {
	Loss float64
	// Exceed is Pr(D > x), x in seconds.
	Exceed func(x float64) float64
}

// NFDS is CTA's detector NFD-S for synchronized clocks: p sends heartbeat
// m_i at σ_i = iη; q trusts p during [τ_i, τ_{i+1}), τ_i = σ_i + δ, iff it
// has received some m_j with j ≥ i.
type NFDS struct {
	Eta, Delta float64 // seconds
}

// QoS is what CTA's Theorem 5 gives for NFD-S: the bound on T_D, E(T_MR),
// E(T_M) and P_A (seconds, and a probability).
type QoS struct {
	MaxDetection, Recurrence, Duration, PA float64
}

// u is the probability that q suspects p at τ_i + x (0 ≤ x < η): none of
// m_i, m_{i+1}, ... sent before that instant has arrived by it.
func (n CTANetwork) u(f NFDS, x float64) float64 {
	p := 1.0
	for j := 0; float64(j)*f.Eta < f.Delta+x; j++ {
		p *= n.Loss + (1-n.Loss)*n.Exceed(f.Delta+x-float64(j)*f.Eta)
	}
	return p
}

// Analyse is CTA's Theorem 5: T_D ≤ η + δ; E(T_MR) = η / p_S with p_S =
// q₀·u(0), q₀ = (1 − p_L)·Pr(D < δ + η) the chance that m_{i−1} arrived
// before τ_i; E(T_M) = ∫₀^η u(x)dx / p_S; P_A = 1 − ∫₀^η u(x)dx / η.
// The integral is taken by Simpson's rule over 2000 panels.
func (n CTANetwork) Analyse(f NFDS) QoS {
	q0 := (1 - n.Loss) * (1 - n.Exceed(f.Delta+f.Eta))
	pS := q0 * n.u(f, 0)
	const panels = 2000
	h := f.Eta / panels
	integral := n.u(f, 0) + n.u(f, f.Eta-1e-12)
	for k := 1; k < panels; k++ {
		w := 2.0
		if k%2 == 1 {
			w = 4
		}
		integral += w * n.u(f, float64(k)*h)
	}
	integral *= h / 3
	q := QoS{MaxDetection: f.Eta + f.Delta, PA: 1 - integral/f.Eta}
	if pS == 0 {
		q.Recurrence, q.Duration = math.Inf(1), 0
	} else {
		q.Recurrence, q.Duration = f.Eta/pS, integral/pS
	}
	return q
}

// ErrUnreachable means no setting meets the targets.
var ErrUnreachable = errors.New("no setting meets every target")

// Configure is CTA's configuration procedure for NFD-S when the delay
// distribution is known (Section 5.1):
//
//  1. q'₀ = (1 − p_L)·Pr(D < T_D^U); η_max = q'₀·T_M^U (this bounds
//     E(T_M) ≤ η/q'₀ ≤ T_M^U). If η_max = 0, nothing works.
//  2. f(η) = η / (q'₀ · Π_{j=1}^{⌈T_D^U/η⌉−1} [p_L + (1 − p_L)·Pr(D > T_D^U − jη)]),
//     which is E(T_MR) with δ = T_D^U − η. Take the largest η ≤ η_max with
//     f(η) ≥ T_MR^L, and δ = T_D^U − η.
//
// The largest η is found on a grid of 4000 points per stretch between two
// discontinuities of f (η = T_D^U/k), refined by bisection.
func (n CTANetwork) Configure(t Targets) (NFDS, error) {
	if err := t.Validate(); err != nil {
		return NFDS{}, err
	}
	q0 := (1 - n.Loss) * (1 - n.Exceed(t.MaxDetection))
	etaMax := math.Min(q0*t.durationBound(), t.MaxDetection)
	if !(etaMax > 0) {
		return NFDS{}, fmt.Errorf("%w: q'₀ = %g leaves no room for an interval", ErrUnreachable, q0)
	}
	f := func(eta float64) float64 {
		prod := q0
		for j := 1; float64(j)*eta < t.MaxDetection; j++ {
			prod *= n.Loss + (1-n.Loss)*n.Exceed(t.MaxDetection-float64(j)*eta)
		}
		if prod == 0 {
			return math.Inf(1)
		}
		return eta / prod
	}
	eta, ok := largestAbove(f, t.MinRecurrence, etaMax, t.MaxDetection)
	if !ok {
		return NFDS{}, fmt.Errorf("%w: no interval gives a mistake recurrence of %gs", ErrUnreachable, t.MinRecurrence)
	}
	return NFDS{Eta: eta, Delta: t.MaxDetection - eta}, nil
}

// ConfigureMoments is CTA's procedure when only the delay's mean E(D) and
// variance V(D) are known (Section 5.2). The one-sided Chebyshev
// inequality Pr(D > E(D) + a) ≤ V/(V + a²) replaces the distribution:
//
//  1. γ' = (1 − p_L)(T_D^U − E(D))² / (V(D) + (T_D^U − E(D))²);
//     η_max = min(γ'·T_M^U, T_D^U − E(D)).
//  2. f(η) = η · Π_{j=1}^{⌈(T_D^U − E(D))/η⌉−1} (V + (T_D^U − E(D) − jη)²) / (V + p_L(T_D^U − E(D) − jη)²);
//     take the largest η ≤ η_max with f(η) ≥ T_MR^L, and δ = T_D^U − η.
func ConfigureMoments(loss, mean, variance float64, t Targets) (NFDS, error) {
	if err := t.Validate(); err != nil {
		return NFDS{}, err
	}
	a := t.MaxDetection - mean
	if !(a > 0) {
		return NFDS{}, fmt.Errorf("%w: the mean delay %gs is not below the detection bound", ErrUnreachable, mean)
	}
	gamma := (1 - loss) * a * a / (variance + a*a)
	etaMax := math.Min(gamma*t.durationBound(), a)
	f := func(eta float64) float64 {
		v := eta
		for j := 1; float64(j)*eta < a; j++ {
			b := a - float64(j)*eta
			v *= (variance + b*b) / (variance + loss*b*b)
		}
		return v
	}
	eta, ok := largestAbove(f, t.MinRecurrence, etaMax, a)
	if !ok {
		return NFDS{}, fmt.Errorf("%w: no interval gives a mistake recurrence of %gs", ErrUnreachable, t.MinRecurrence)
	}
	return NFDS{Eta: eta, Delta: t.MaxDetection - eta}, nil
}

// largestAbove finds the largest η in (0, etaMax] with f(η) ≥ target. f
// jumps at span/k for whole k and is continuous in between, so each
// stretch is scanned from its top down and the crossing refined by
// bisection.
func largestAbove(f func(float64) float64, target, etaMax, span float64) (float64, bool) {
	const grid = 4000
	for k := 1; k < 1_000_000; k++ {
		hi := math.Min(span/float64(k), etaMax)
		lo := span / float64(k+1)
		if hi <= lo {
			continue
		}
		if hi < 1e-9 {
			break
		}
		prev := hi
		for g := 0; g <= grid; g++ {
			eta := hi - (hi-lo)*float64(g)/grid
			if eta <= 0 {
				break
			}
			if f(eta) >= target {
				if g == 0 {
					return eta, true
				}
				good, bad := eta, prev
				for range 60 {
					mid := (good + bad) / 2
					if f(mid) >= target {
						good = mid
					} else {
						bad = mid
					}
				}
				return good, true
			}
			prev = eta
		}
	}
	return 0, false
}
