/*
 * Multi-tau correlator kernel in C, instantiated once per instruction set by
 * kernels_cgo.go: it is included with W (pixels per vector: 4 for AVX2, 8 for
 * AVX-512) and SUF (function-name suffix) defined, inside a
 * "#pragma GCC target" region, so that one binary carries every path and
 * picks one at run time.
 *
 * Why hand-written C: Go's compiler (and its simd/archsimd experiment, see
 * docs/perf/xpcs.md) spills the 8 lag accumulators and bounds-checks the
 * transpose; no library offers a streaming multi-tau correlator. GCC vector
 * extensions keep the code one generic body for both widths.
 *
 * Arithmetic: float64, one multiply then one add per lag and frame, each lane
 * accumulated in frame order, exactly as the portable Go kernels
 * (corr8x4Go, corr4x4Go, fold4Go) do; the file is compiled with
 * -ffp-contract=off so that no multiply-add is fused. Every lane therefore
 * performs the same IEEE operations in the same order as the portable path,
 * and the state is bitwise identical to it for any input (integer counts are
 * moreover exact while every sum stays below 2^53). kernels_cgo.go also
 * includes this file a second time per width with fp-contract=fast (the
 * *fma twins): there each c + v*x is one fused multiply-add, which rounds
 * once; the Go side uses them only while every product and partial sum is
 * an integer below 2^53 (exactFMA), where both roundings are exact, so the
 * state stays bitwise identical (TestKernelPaths, TestFMABound).
 *
 * State layout (the Go Correlator's, see multitau.go): per group of 4 pixels
 * and level, GL = 26 words of 4 float64: hist[8], corr[8], sum, carry,
 * head[8]. With W = 8 a vector holds two consecutive groups (A: lanes 0-3,
 * B: lanes 4-7), loaded and stored as two halves once per level and block.
 */

#define XCAT2(a, b) a##_##b
#define XCAT(a, b) XCAT2(a, b)
#define KN(name) XCAT(name, SUF)

/* VD is a register value; VM the same vector in memory (8-byte aligned,
 * may alias float64): locals of a may_alias type are kept on the stack. */
typedef double KN(vd) __attribute__((vector_size(W * 8)));
typedef double KN(vm) __attribute__((vector_size(W * 8), aligned(8), may_alias));
#define VD KN(vd)
#define VM KN(vm)

static inline VD KN(ld)(const double *p) { return *(const VM *)p; }

static inline void KN(st)(double *p, VD v) { *(VM *)p = v; }

/* cvt_u16 converts W consecutive uint16 to float64 (exact). Intrinsics:
 * GCC 12 turns __builtin_convertvector of uint16 into scalar conversions. */
static inline VD KN(cvt_u16)(const unsigned char *p) {
#if W == 8
	return (VD)_mm512_cvtepi32_pd(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)));
#else
	return (VD)_mm256_cvtepi32_pd(_mm_cvtepu16_epi32(_mm_loadl_epi64((const __m128i *)p)));
#endif
}

/* ldw loads state word w (4 float64 per group) of groups a and b. */
static inline VD KN(ldw)(const double *a, const double *b, int w) {
#if W == 8
	return (VD)_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(a + w * 4)), _mm256_loadu_pd(b + w * 4), 1);
#else
	(void)b;
	return KN(ld)(a + w * 4);
#endif
}

static inline void KN(stw)(double *a, double *b, int w, VD v) {
#if W == 8
	_mm256_storeu_pd(a + w * 4, _mm512_castpd512_pd256((__m512d)v));
	_mm256_storeu_pd(b + w * 4, _mm512_extractf64x4_pd((__m512d)v, 1));
#else
	(void)b;
	KN(st)(a + w * 4, v);
#endif
}

/*
 * group advances the state of groups sa (and sb when W = 8) through every
 * level for one block of frames: the port of correlateGroup. a holds the
 * W-interleaved level-0 frames at a[8*W:], room for 8+m frames (history
 * first); b is scratch of (8 + m/2 + 2)*W float64. plan holds per level
 * (m, carry_in, count), see levelPlan.
 */
static void KN(group)(double *sa, double *sb, double *a, double *b, const int64_t *plan, long nlev) {
	for (long l = 0; l < nlev; l++) {
		long m = (long)plan[3 * l], carry_in = (long)plan[3 * l + 1], count = (long)plan[3 * l + 2];
		if (m == 0) return;
		double *A = sa + l * XPCS_GL * 4, *B = sb + l * XPCS_GL * 4;
		for (int k = 0; k < 8; k++) KN(st)(a + k * W, KN(ldw)(A, B, XPCS_OHIST + k));
		VD s = KN(ldw)(A, B, XPCS_OSUM);
		VD c5 = KN(ldw)(A, B, XPCS_OCORR + 4), c6 = KN(ldw)(A, B, XPCS_OCORR + 5);
		VD c7 = KN(ldw)(A, B, XPCS_OCORR + 6), c8 = KN(ldw)(A, B, XPCS_OCORR + 7);
		const double *x = a + 8 * W;
		if (l == 0) {
			VD c1 = KN(ldw)(A, B, XPCS_OCORR + 0), c2 = KN(ldw)(A, B, XPCS_OCORR + 1);
			VD c3 = KN(ldw)(A, B, XPCS_OCORR + 2), c4 = KN(ldw)(A, B, XPCS_OCORR + 3);
			for (long t = 0; t < m; t++) {
				const double *p = x + t * W;
				VD v = KN(ld)(p);
				s = s + v;
				c1 = c1 + v * KN(ld)(p - 1 * W);
				c2 = c2 + v * KN(ld)(p - 2 * W);
				c3 = c3 + v * KN(ld)(p - 3 * W);
				c4 = c4 + v * KN(ld)(p - 4 * W);
				c5 = c5 + v * KN(ld)(p - 5 * W);
				c6 = c6 + v * KN(ld)(p - 6 * W);
				c7 = c7 + v * KN(ld)(p - 7 * W);
				c8 = c8 + v * KN(ld)(p - 8 * W);
			}
			KN(stw)(A, B, XPCS_OCORR + 0, c1);
			KN(stw)(A, B, XPCS_OCORR + 1, c2);
			KN(stw)(A, B, XPCS_OCORR + 2, c3);
			KN(stw)(A, B, XPCS_OCORR + 3, c4);
		} else {
			for (long t = 0; t < m; t++) {
				const double *p = x + t * W;
				VD v = KN(ld)(p);
				s = s + v;
				c5 = c5 + v * KN(ld)(p - 5 * W);
				c6 = c6 + v * KN(ld)(p - 6 * W);
				c7 = c7 + v * KN(ld)(p - 7 * W);
				c8 = c8 + v * KN(ld)(p - 8 * W);
			}
		}
		KN(stw)(A, B, XPCS_OCORR + 4, c5);
		KN(stw)(A, B, XPCS_OCORR + 5, c6);
		KN(stw)(A, B, XPCS_OCORR + 6, c7);
		KN(stw)(A, B, XPCS_OCORR + 7, c8);
		KN(stw)(A, B, XPCS_OSUM, s);
		/* The last 8 frames become the history; the first ones the head. */
		for (int k = 0; k < 8; k++) KN(stw)(A, B, XPCS_OHIST + k, KN(ld)(a + (m + k) * W));
		if (count < 8) {
			long n = 8 - count < m ? 8 - count : m;
			for (long k = 0; k < n; k++) KN(stw)(A, B, (int)(XPCS_OHEAD + count + k), KN(ld)(x + k * W));
		}
		if (l + 1 == nlev) return;
		/* Fold pairs of frames into the next level. */
		double *out = b + 8 * W;
		long i = 0, o = 0;
		if (carry_in) {
			KN(st)(out, KN(ldw)(A, B, XPCS_OCARRY) + KN(ld)(x));
			i = o = 1;
		}
		long np = (m - i) / 2;
		for (long p = 0; p < np; p++)
			KN(st)(out + (o + p) * W, KN(ld)(x + (i + 2 * p) * W) + KN(ld)(x + (i + 2 * p + 1) * W));
		i += 2 * np;
		if (i < m) KN(stw)(A, B, XPCS_OCARRY, KN(ld)(x + i * W));
		double *tmp = a;
		a = b;
		b = tmp;
	}
}

/*
 * block_u16 correlates active pixels idx[0..n) (ascending pixel indices, the
 * first one starting group 0 of state) over m little-endian uint16 frames of
 * npix pixels, frame t at byte off[t] of frames (off NULL: 2*t*npix; any
 * alignment), pixel blocks of pb pixels (a multiple of 8) at a time:
 * transpose into W-interleaved float64 series in buf (pb*(8+m+1) float64),
 * then every level of every group. fsum[t] += Σ of frame t over the n
 * pixels (exact: at most 2^16 * pb < 2^53 per block). zstate
 * (nlev*GL float64) stands in for the missing second group of a pair at
 * the end of the range (W = 8).
 */
static void KN(block_u16)(const unsigned char *frames, const int64_t *off, long npix, long m, const int32_t *idx, long n,
			  double *state, long nlev, const int64_t *plan, double *buf, double *b, double *fsum, double *zstate,
			  long pb) {
	long stride = (8 + m + 1) * W;
	long gsz = nlev * XPCS_GL * 4; /* float64 per group of 4 pixels */
	for (long i0 = 0; i0 < n; i0 += pb) {
		long nb = n - i0 < pb ? n - i0 : pb;
		long nv = (nb + W - 1) / W;
		const int32_t *q0 = idx + i0;
		/* Frame rows are npix*2 bytes apart (128 KB at 256x256): each
		 * row of the block is a cache and TLB miss, which the hardware
		 * prefetchers do not follow; prefetch the block's span of the
		 * row XPCS_PF frames ahead. */
		const long span = q0[nb - 1] - q0[0] + 1;
		for (long t = 0; t < m; t++) {
			const unsigned char *row = frames + (off ? off[t] : 2 * t * npix);
			if (t + XPCS_PF < m) {
				const unsigned char *pf = frames + (off ? off[t + XPCS_PF] : 2 * (t + XPCS_PF) * npix) + 2 * q0[0];
				for (long o = 0; o < span * 2; o += 64) __builtin_prefetch(pf + o);
				__builtin_prefetch(pf + span * 2 - 1);
			}
			VD acc = {0};
			for (long v = 0; v < nv; v++) {
				const int32_t *q = q0 + v * W;
				long cnt = nb - v * W < W ? nb - v * W : W;
				double *d = buf + v * stride + (8 + t) * W;
				VD x;
				if (cnt == W && q[W - 1] - q[0] == W - 1) {
					x = KN(cvt_u16)(row + 2 * q[0]); /* contiguous run: one load */
				} else {
					for (int j = 0; j < W; j++) x[j] = j < cnt ? (double)xpcs_ld16(row + 2 * q[j]) : 0.0;
				}
				KN(st)(d, x);
				acc = acc + x;
			}
			double s = 0;
			for (int j = 0; j < W; j++) s += acc[j];
			fsum[t] += s;
		}
		for (long v = 0; v < nv; v++) {
			long g = (i0 + v * W) / 4;
			double *sa = state + g * gsz;
			double *sb = sa;
#if W == 8
			sb = zstate;
			if (i0 + v * W + 4 < n) sb = sa + gsz;
			else __builtin_memset(zstate, 0, gsz * sizeof(double));
#endif
			KN(group)(sa, sb, buf + v * stride, b, plan, nlev);
		}
	}
}

#ifndef XPCS_NO_GROUPS4
/*
 * groups4 runs group() over ng consecutive groups of 4 pixels whose series
 * the Go transpose left in buf (4-interleaved, stride float64 per group):
 * the path of non-uint16 frames. Only instantiated with W = 4.
 */
#if W == 4
static void KN(groups4)(double *state, long ng, long nlev, const int64_t *plan, double *buf, long stride, double *b) {
	for (long g = 0; g < ng; g++) {
		double *st = state + g * nlev * XPCS_GL * 4;
		KN(group)(st, st, buf + g * stride, b, plan, nlev);
	}
}
#endif
#endif

#undef VD
#undef VM
