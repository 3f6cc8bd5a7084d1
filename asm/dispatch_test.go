package asm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSelect checks that selecting an implementation changes what Selected
// reports and what the kernels run, and never what Implementations lists.
func TestSelect(t *testing.T) {
	all := Implementations()
	if all[len(all)-1] != Generic {
		t.Fatalf("Implementations() = %v, want generic last", all)
	}
	prev := Selected()
	defer Select(prev)
	for _, name := range all {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		if Selected() != name {
			t.Errorf("after Select(%q), Selected() = %q", name, Selected())
		}
		if got := Implementations(); !slices.Equal(got, all) {
			t.Errorf("after Select(%q), Implementations() = %v, want %v", name, got, all)
		}
		if name == Generic {
			continue
		}
		// x + h·v with h·v = 1 + 2⁻¹¹ + 2⁻²⁴ and x = −(1 + 2⁻¹¹): a fused
		// multiply-add keeps the 2⁻²⁴ that rounding h·v first would lose,
		// so this shows the assembly ran.
		h := float32(1 + 1.0/(1<<12))
		dst := []float32{0}
		EulerStep(dst, []float32{-(1 + 1.0/(1<<11))}, []float32{h}, h)
		if dst[0] != 1.0/(1<<24) {
			t.Errorf("%s: EulerStep = %g, want the fused result 2⁻²⁴", name, dst[0])
		}
	}
	err := Select("sse9")
	if err == nil || !strings.Contains(err.Error(), Generic) {
		t.Errorf("Select(unknown) = %v, want an error listing the valid names", err)
	}
	if Selected() != all[len(all)-1] {
		t.Errorf("a failed Select changed the selection to %q", Selected())
	}
}

// TestKernels checks that Kernels names every exported operation of the
// package once, with the implementation that runs it under each selection
// and, for Sgemm, the tile documented for that implementation.
func TestKernels(t *testing.T) {
	// The exported functions that are not operations on data, or whose
	// kernel another function reports (MulBF16: BF16Unit; BLAS.Sgemm calls
	// Sgemm).
	notOps := map[string]bool{
		"Implementations": true, "Selected": true, "Select": true, "Kernels": true,
		"SetMatmulPrecision": true, "MatmulPrecision": true, "BF16Unit": true,
		"ReserveProcs": true, "PackBF16Weights": true, "MulBF16": true, "BLAS.Sgemm": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil {
				recv := fd.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				name = recv.(*ast.Ident).Name + "." + name
			}
			if !notOps[name] {
				want[name] = true
			}
		}
	}
	tiles := map[string]string{AVX512: "12×32 tile", AVX2: "6×16 tile", Generic: "4×4 tile"}
	prev := Selected()
	defer Select(prev)
	for _, name := range Implementations() {
		if err := Select(name); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, k := range Kernels() {
			if !want[k.Op] || seen[k.Op] {
				t.Errorf("%s: Kernels() lists %q, which is not an exported operation or is listed twice", name, k.Op)
			}
			seen[k.Op] = true
			impl := name
			if k.Op == "AdamW.Step" && name == AVX512 {
				impl = AVX2
			}
			if k.Impl != impl {
				t.Errorf("%s: Kernels() says %s runs %s, want %s", name, k.Op, k.Impl, impl)
			}
			if k.Op == "Sgemm" && !strings.HasPrefix(k.Detail, tiles[name]) {
				t.Errorf("%s: Sgemm detail %q, want it to start with %q", name, k.Detail, tiles[name])
			}
		}
		for op := range want {
			if !seen[op] {
				t.Errorf("%s: Kernels() omits %s", name, op)
			}
		}
	}
}
