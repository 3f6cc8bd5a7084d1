package diffusion

// Network is what a backbone must provide to be sampled and evaluated: a
// batched prediction of (x, t, cond) without gradients. What the output means
// (velocity, noise, x0 or score) is fixed by the objective the network was
// trained with.
type Network interface {
	// Dim is the number of values per sample.
	Dim() int
	// Predict writes the network output for n = len(t) samples into dst.
	// x and dst hold n·Dim() values, row-major; t holds one time in [0, 1]
	// per sample; cond is nil for unconditional networks or holds n class
	// labels. Predict may be called concurrently only if the implementation
	// says so.
	Predict(dst, x, t []float32, cond []int32) error
}

// NetworkFunc adapts a function to Network; it is how analytic fields (exact
// velocities and scores of known distributions) are sampled like networks.
type NetworkFunc struct {
	D int
	F func(dst, x, t []float32, cond []int32) error
}

// Dim implements Network.
func (f NetworkFunc) Dim() int { return f.D }

// Predict implements Network.
func (f NetworkFunc) Predict(dst, x, t []float32, cond []int32) error { return f.F(dst, x, t, cond) }
