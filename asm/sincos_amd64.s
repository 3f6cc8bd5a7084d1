//go:build amd64 && gc && !purego && !noasm

#include "textflag.h"

// SinCos and Sinusoids kernels; see sincos_generic.go for sinCos1, whose
// operations the SINCOSCORE macros perform in the same order (no FMA, so the
// results are bit-identical). VCVTPD2PS rounds to nearest even as Go's
// float32 conversion does (the Go runtime keeps MXCSR at its default).

// Rows of sinCosConsts, as byte offsets.
#define SC_TWOOVERPI 0
#define SC_HALF 64
#define SC_PIO2HI 128
#define SC_PIO2LO 192
#define SC_S3 256
#define SC_S5 320
#define SC_S7 384
#define SC_S9 448
#define SC_S11 512
#define SC_C2 576
#define SC_ONE 640
#define SC_C4 704
#define SC_C6 768
#define SC_C8 832
#define SC_C10 896
#define SC_C12 960
#define SC_MAX 1024
#define SC_ABS 1088
#define SC_SIGN 1152
#define SC_ONEI 1216

#define SC(row) ·sinCosConsts+row(SB)

// ---- AVX-512: constants rows 0–15 live in Z16–Z31 (LOADSC512); K1 is the
// tail mask, K3 collects the lanes that need the fallback.

#define LOADSC512 \
	VMOVUPD SC(SC_TWOOVERPI), Z16; \
	VMOVUPD SC(SC_HALF), Z17;      \
	VMOVUPD SC(SC_PIO2HI), Z18;    \
	VMOVUPD SC(SC_PIO2LO), Z19;    \
	VMOVUPD SC(SC_S3), Z20;        \
	VMOVUPD SC(SC_S5), Z21;        \
	VMOVUPD SC(SC_S7), Z22;        \
	VMOVUPD SC(SC_S9), Z23;        \
	VMOVUPD SC(SC_S11), Z24;       \
	VMOVUPD SC(SC_C2), Z25;        \
	VMOVUPD SC(SC_ONE), Z26;       \
	VMOVUPD SC(SC_C4), Z27;        \
	VMOVUPD SC(SC_C6), Z28;        \
	VMOVUPD SC(SC_C8), Z29;        \
	VMOVUPD SC(SC_C10), Z30;       \
	VMOVUPD SC(SC_C12), Z31;       \
	KXORB   K3, K3, K3

// SINCOSCORE512 sets Z7 = sin Z0 and Z8 = cos Z0 and ORs into K3 the lanes
// that need the fallback. Clobbers Z1–Z6, Z9, Z10, Z13, Z14, K2.
#define SINCOSCORE512 \
	VPANDQ     SC(SC_ABS), Z0, Z1;     \
	VCMPPD     $0x15, SC(SC_MAX), Z1, K2; /* !(|a| < max): NLT_UQ */ \
	KORB       K2, K3, K3;             \
	VMULPD     Z16, Z0, Z1;            /* q = a·2/π */ \
	VPANDQ     SC(SC_SIGN), Z1, Z2;    \
	VPORQ      Z17, Z2, Z2;            /* ±0.5 with the sign of q */ \
	VADDPD     Z2, Z1, Z1;             \
	VCVTTPD2QQ Z1, Z1;                 /* n */ \
	VCVTQQ2PD  Z1, Z2;                 /* j */ \
	VMULPD     Z18, Z2, Z3;            \
	VSUBPD     Z3, Z0, Z3;             /* a − j·pio2Hi */ \
	VMULPD     Z19, Z2, Z2;            \
	VSUBPD     Z2, Z3, Z3;             /* r */ \
	VMULPD     Z3, Z3, Z4;             /* z */ \
	VMULPD     Z4, Z4, Z5;             /* z2 */ \
	VMULPD     Z5, Z5, Z6;             /* z4 */ \
	VMULPD     Z21, Z4, Z7;            \
	VADDPD     Z20, Z7, Z7;            /* s3 + z·s5 */ \
	VMULPD     Z23, Z4, Z8;            \
	VADDPD     Z22, Z8, Z8;            \
	VMULPD     Z8, Z5, Z8;             /* z2·(s7 + z·s9) */ \
	VADDPD     Z8, Z7, Z7;             \
	VMULPD     Z24, Z6, Z8;            \
	VADDPD     Z8, Z7, Z7;             /* ps */ \
	VMULPD     Z4, Z3, Z8;             \
	VMULPD     Z7, Z8, Z8;             \
	VADDPD     Z8, Z3, Z13;            /* sr = r + r·z·ps */ \
	VMULPD     Z28, Z4, Z9;            \
	VADDPD     Z27, Z9, Z9;            /* c4 + z·c6 */ \
	VMULPD     Z30, Z4, Z10;           \
	VADDPD     Z29, Z10, Z10;          \
	VMULPD     Z10, Z5, Z10;           /* z2·(c8 + z·c10) */ \
	VADDPD     Z10, Z9, Z9;            \
	VMULPD     Z31, Z6, Z10;           \
	VADDPD     Z10, Z9, Z9;            /* pc */ \
	VMULPD     Z9, Z5, Z9;             \
	VMULPD     Z25, Z4, Z10;           \
	VADDPD     Z26, Z10, Z10;          \
	VADDPD     Z9, Z10, Z14;           /* cr = (1 + z·c2) + z2·pc */ \
	VPTESTMQ   SC(SC_ONEI), Z1, K2;    /* n odd: swap */ \
	VBLENDMPD  Z14, Z13, K2, Z7;       \
	VBLENDMPD  Z13, Z14, K2, Z8;       \
	VPSLLQ     $62, Z1, Z9;            \
	VPANDQ     SC(SC_SIGN), Z9, Z9;    /* bit 1 of n: negate s */ \
	VPXORQ     Z9, Z7, Z7;             \
	VPADDQ     SC(SC_ONEI), Z1, Z10;   \
	VPSLLQ     $62, Z10, Z10;          \
	VPANDQ     SC(SC_SIGN), Z10, Z10;  /* bit 1 of n+1: negate c */ \
	VPXORQ     Z10, Z8, Z8

// TAILMASK512 sets K1 to the low CX lanes. Clobbers AX.
#define TAILMASK512 \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX;     \
	KMOVB AX, K1

// func sinCosAVX512(s, c, a []float64) (fallback bool)
// SI is a, DI is s, DX is c; R11 indexes elements, CX counts those left.
TEXT ·sinCosAVX512(SB), NOSPLIT, $0-73
	MOVQ s_base+0(FP), DI
	MOVQ c_base+24(FP), DX
	MOVQ a_base+48(FP), SI
	MOVQ a_len+56(FP), CX
	LOADSC512
	XORQ R11, R11

sincos512loop:
	CMPQ    CX, $8
	JLT     sincos512tail
	VMOVUPD (SI)(R11*8), Z0
	SINCOSCORE512
	VMOVUPD Z7, (DI)(R11*8)
	VMOVUPD Z8, (DX)(R11*8)
	ADDQ    $8, R11
	SUBQ    $8, CX
	JMP     sincos512loop

sincos512tail:
	TESTQ     CX, CX
	JZ        sincos512done
	TAILMASK512
	VMOVUPD.Z (SI)(R11*8), K1, Z0
	SINCOSCORE512
	VMOVUPD   Z7, K1, (DI)(R11*8)
	VMOVUPD   Z8, K1, (DX)(R11*8)

sincos512done:
	KORTESTB K3, K3
	SETNE    fallback+72(FP)
	VZEROUPPER
	RET

// func sinusoidsAVX512(dst []float32, ld, sinOff int, t []float32, freq []float64) (fallback bool)
// DI is the row's cosines, R14 its sines, R8 the row stride in bytes; SI
// walks t, R10 counts rows; DX is freq, R13 the number of its elements in
// full vectors, CX the rest; R11 indexes freq.
TEXT ·sinusoidsAVX512(SB), NOSPLIT, $0-89
	MOVQ dst_base+0(FP), DI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ sinOff+32(FP), R9
	SHLQ $2, R9
	MOVQ t_base+40(FP), SI
	MOVQ t_len+48(FP), R10
	MOVQ freq_base+64(FP), DX
	MOVQ freq_len+72(FP), R13
	MOVQ R13, CX
	ANDQ $7, CX
	ANDQ $-8, R13
	TAILMASK512
	LOADSC512
	TESTQ R10, R10
	JZ    sinusoids512done

sinusoids512row:
	VCVTSS2SD    (SI), X15, X15
	VBROADCASTSD X15, Z15          // float64(t[i])
	LEAQ         (DI)(R9*1), R14
	XORQ         R11, R11

sinusoids512col:
	CMPQ      R11, R13
	JGE       sinusoids512tail
	VMULPD    (DX)(R11*8), Z15, Z0 // a = t_i·f_j
	SINCOSCORE512
	VCVTPD2PS Z8, Y8
	VMOVUPS   Y8, (DI)(R11*4)
	VCVTPD2PS Z7, Y7
	VMOVUPS   Y7, (R14)(R11*4)
	ADDQ      $8, R11
	JMP       sinusoids512col

sinusoids512tail:
	TESTQ     CX, CX
	JZ        sinusoids512next
	VMOVUPD.Z (DX)(R11*8), K1, Z0
	VMULPD    Z0, Z15, Z0
	SINCOSCORE512
	VCVTPD2PS Z8, Y8
	VMOVUPS   Y8, K1, (DI)(R11*4)
	VCVTPD2PS Z7, Y7
	VMOVUPS   Y7, K1, (R14)(R11*4)

sinusoids512next:
	ADDQ $4, SI
	ADDQ R8, DI
	DECQ R10
	JNZ  sinusoids512row

sinusoids512done:
	KORTESTB K3, K3
	SETNE    fallback+88(FP)
	VZEROUPPER
	RET

// ---- AVX2: constants are memory operands; Y11 is the tail mask, Y15
// collects the lanes that need the fallback.

// SINCOSCORE2 sets Y7 = sin Y0 and Y8 = cos Y0 and ORs into Y15 the lanes
// that need the fallback. Clobbers Y1–Y6, Y9, Y10, Y13, Y14.
#define SINCOSCORE2 \
	VANDPD      SC(SC_ABS), Y0, Y1;    \
	VCMPPD      $0x15, SC(SC_MAX), Y1, Y1; /* !(|a| < max): NLT_UQ */ \
	VORPD       Y1, Y15, Y15;          \
	VMULPD      SC(SC_TWOOVERPI), Y0, Y1; /* q = a·2/π */ \
	VANDPD      SC(SC_SIGN), Y1, Y2;   \
	VORPD       SC(SC_HALF), Y2, Y2;   /* ±0.5 with the sign of q */ \
	VADDPD      Y2, Y1, Y1;            \
	VCVTTPD2DQY Y1, X1;                /* n, exact in int32 for |q| < 2²⁰ */ \
	VCVTDQ2PD   X1, Y2;                /* j */ \
	VPMOVSXDQ   X1, Y1;                /* n in int64 lanes */ \
	VMULPD      SC(SC_PIO2HI), Y2, Y3; \
	VSUBPD      Y3, Y0, Y3;            /* a − j·pio2Hi */ \
	VMULPD      SC(SC_PIO2LO), Y2, Y2; \
	VSUBPD      Y2, Y3, Y3;            /* r */ \
	VMULPD      Y3, Y3, Y4;            /* z */ \
	VMULPD      Y4, Y4, Y5;            /* z2 */ \
	VMULPD      Y5, Y5, Y6;            /* z4 */ \
	VMULPD      SC(SC_S5), Y4, Y7;     \
	VADDPD      SC(SC_S3), Y7, Y7;     /* s3 + z·s5 */ \
	VMULPD      SC(SC_S9), Y4, Y8;     \
	VADDPD      SC(SC_S7), Y8, Y8;     \
	VMULPD      Y8, Y5, Y8;            /* z2·(s7 + z·s9) */ \
	VADDPD      Y8, Y7, Y7;            \
	VMULPD      SC(SC_S11), Y6, Y8;    \
	VADDPD      Y8, Y7, Y7;            /* ps */ \
	VMULPD      Y4, Y3, Y8;            \
	VMULPD      Y7, Y8, Y8;            \
	VADDPD      Y8, Y3, Y13;           /* sr = r + r·z·ps */ \
	VMULPD      SC(SC_C6), Y4, Y9;     \
	VADDPD      SC(SC_C4), Y9, Y9;     /* c4 + z·c6 */ \
	VMULPD      SC(SC_C10), Y4, Y10;   \
	VADDPD      SC(SC_C8), Y10, Y10;   \
	VMULPD      Y10, Y5, Y10;          /* z2·(c8 + z·c10) */ \
	VADDPD      Y10, Y9, Y9;           \
	VMULPD      SC(SC_C12), Y6, Y10;   \
	VADDPD      Y10, Y9, Y9;           /* pc */ \
	VMULPD      Y9, Y5, Y9;            \
	VMULPD      SC(SC_C2), Y4, Y10;    \
	VADDPD      SC(SC_ONE), Y10, Y10;  \
	VADDPD      Y9, Y10, Y14;          /* cr = (1 + z·c2) + z2·pc */ \
	VPSLLQ      $63, Y1, Y9;           /* n odd: swap */ \
	VBLENDVPD   Y9, Y14, Y13, Y7;      \
	VBLENDVPD   Y9, Y13, Y14, Y8;      \
	VPSLLQ      $62, Y1, Y9;           \
	VPAND       SC(SC_SIGN), Y9, Y9;   /* bit 1 of n: negate s */ \
	VXORPD      Y9, Y7, Y7;            \
	VPADDQ      SC(SC_ONEI), Y1, Y10;  \
	VPSLLQ      $62, Y10, Y10;         \
	VPAND       SC(SC_SIGN), Y10, Y10; /* bit 1 of n+1: negate c */ \
	VXORPD      Y10, Y8, Y8

// TAILMASK2 sets BX to the address of the mask of the low CX lanes
// (0 ≤ CX ≤ 4) in sinCosTailMask, and Y11 to that mask in 64-bit lanes.
#define TAILMASK2 \
	LEAQ      ·sinCosTailMask+16(SB), BX; \
	MOVQ      CX, AX;                     \
	SHLQ      $2, AX;                     \
	SUBQ      AX, BX;                     \
	VPMOVSXDQ (BX), Y11

// func sinCosAVX2(s, c, a []float64) (fallback bool)
// SI is a, DI is s, DX is c; R11 indexes elements, CX counts those left.
TEXT ·sinCosAVX2(SB), NOSPLIT, $0-73
	MOVQ   s_base+0(FP), DI
	MOVQ   c_base+24(FP), DX
	MOVQ   a_base+48(FP), SI
	MOVQ   a_len+56(FP), CX
	VXORPD Y15, Y15, Y15
	XORQ   R11, R11

sincos2loop:
	CMPQ    CX, $4
	JLT     sincos2tail
	VMOVUPD (SI)(R11*8), Y0
	SINCOSCORE2
	VMOVUPD Y7, (DI)(R11*8)
	VMOVUPD Y8, (DX)(R11*8)
	ADDQ    $4, R11
	SUBQ    $4, CX
	JMP     sincos2loop

sincos2tail:
	TESTQ      CX, CX
	JZ         sincos2done
	TAILMASK2
	VMASKMOVPD (SI)(R11*8), Y11, Y0
	SINCOSCORE2
	VMASKMOVPD Y7, Y11, (DI)(R11*8)
	VMASKMOVPD Y8, Y11, (DX)(R11*8)

sincos2done:
	VMOVMSKPD Y15, AX
	TESTL     AX, AX
	SETNE     fallback+72(FP)
	VZEROUPPER
	RET

// func sinusoidsAVX2(dst []float32, ld, sinOff int, t []float32, freq []float64) (fallback bool)
// Registers as in sinusoidsAVX512; Y12 holds float64(t[i]), BX the address
// of the tail mask (TAILMASK2), which the tail reloads in 32-bit lanes.
TEXT ·sinusoidsAVX2(SB), NOSPLIT, $0-89
	MOVQ   dst_base+0(FP), DI
	MOVQ   ld+24(FP), R8
	SHLQ   $2, R8
	MOVQ   sinOff+32(FP), R9
	SHLQ   $2, R9
	MOVQ   t_base+40(FP), SI
	MOVQ   t_len+48(FP), R10
	MOVQ   freq_base+64(FP), DX
	MOVQ   freq_len+72(FP), R13
	MOVQ   R13, CX
	ANDQ   $3, CX
	ANDQ   $-4, R13
	TAILMASK2
	VXORPD Y15, Y15, Y15
	TESTQ  R10, R10
	JZ     sinusoids2done

sinusoids2row:
	VCVTSS2SD    (SI), X12, X12
	VBROADCASTSD X12, Y12          // float64(t[i])
	LEAQ         (DI)(R9*1), R14
	XORQ         R11, R11

sinusoids2col:
	CMPQ       R11, R13
	JGE        sinusoids2tail
	VMULPD     (DX)(R11*8), Y12, Y0 // a = t_i·f_j
	SINCOSCORE2
	VCVTPD2PSY Y8, X8
	VMOVUPS    X8, (DI)(R11*4)
	VCVTPD2PSY Y7, X7
	VMOVUPS    X7, (R14)(R11*4)
	ADDQ       $4, R11
	JMP        sinusoids2col

sinusoids2tail:
	TESTQ      CX, CX
	JZ         sinusoids2next
	VMASKMOVPD (DX)(R11*8), Y11, Y0
	VMULPD     Y0, Y12, Y0
	SINCOSCORE2
	VMOVDQU    (BX), X9
	VCVTPD2PSY Y8, X8
	VMASKMOVPS X8, X9, (DI)(R11*4)
	VCVTPD2PSY Y7, X7
	VMASKMOVPS X7, X9, (R14)(R11*4)

sinusoids2next:
	ADDQ $4, SI
	ADDQ R8, DI
	DECQ R10
	JNZ  sinusoids2row

sinusoids2done:
	VMOVMSKPD Y15, AX
	TESTL     AX, AX
	SETNE     fallback+88(FP)
	VZEROUPPER
	RET
