// Package hippo will hold HiPPO theory in float64: the measures and their
// (A, B) matrices, NPLR/DPLR decompositions, S4D initialisations,
// discretisations, SSM convolution kernels and online function approximation.
package hippo
