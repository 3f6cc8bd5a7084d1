// Package rope will hold position encodings for sequence backbones: 1-D and
// 2-D rotary embeddings (axial and mixed), sinusoidal, learned, ALiBi and none.
package rope
