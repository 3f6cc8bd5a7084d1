// Package seqmodel builds sequence and point backbones as gorgonia graphs:
// a parameter store, layers (Linear, MLP, norms, time embeddings), a trainer
// with Adam/AdamW and EMA, and safetensors checkpoints.
//
// Graphs are float32. Hot layers are custom gorgonia ops that call package
// asm; every custom op has a finite-difference gradient test. Matmuls go
// through asm.BLAS, installed into gorgonia when this package is imported.
// Backbones also evaluate without gradients and meet diffusion.Network.
//
// Trainer runs the two halves of a large batch as separate graphs on their
// own goroutines, and Predict shares its row chunks out among GOMAXPROCS
// goroutines; both split the work the same way whatever GOMAXPROCS is, so a
// seed gives the same bits on any number of threads. gorgonia builds the
// graphs and their gradients; the trainer runs them itself, op by op on the
// part's goroutine, instead of through gorgonia's TapeMachine, whose thread
// hand-offs made steps irregular on two cores.
package seqmodel
