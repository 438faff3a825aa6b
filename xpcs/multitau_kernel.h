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
 * moreover exact while every sum stays below 2^53).
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
static inline VD KN(cvt_u16)(const uint16_t *p) {
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
 * Level 0 in integer lanes. Photon counts are small integers: when every
 * value of the block (history included) is an integer in [0, 2^15), the
 * products of two values and the sums of two products fit a signed 32-bit
 * lane exactly, so pmaddwd (AVX2 vpmaddwd: 16-bit x 16-bit, adjacent pairs
 * added into 32 bits) does two frames of one lag per instruction, the
 * float64 path four multiply+add pairs. Values are interleaved per pixel in
 * pairs of frames: P0[j] = (x(2j), x(2j+1)), P1[j] = (x(2j+1), x(2j+2)) of
 * the block's level-0 series x (history first), so that for the pair
 * v = P0[s] the lag k is P0[s - k/2] (k even) or P1[s - (k+1)/2] (k odd).
 *
 * Bounds: one pmaddwd lane is at most 2*max^2 < 2^31 for max < 2^15; the
 * 32-bit accumulators are flushed to the float64 accumulators every
 * K = (2^31-1) / (2*max^2) pairs (at most 2^15, which also bounds the
 * 32-bit frame sums: 2^15 pairs x 2^16). Every flushed value is an exact
 * integer, and the float64 sums stay exact integers below 2^53 when the
 * level has seen at most 2^20 frames of uint16 counts (2^20 x 2^32); the
 * caller checks that, so the result is bitwise the portable one. Returns 0
 * (nothing done) when a condition fails: the float64 loop then runs.
 * VNNI's vpdpwssd would fuse the multiply-add and the add; not needed, the
 * integer work is not what limits the kernel (docs/perf/xpcs.md).
 */
#if W == 8
#define IV __m256i
#define I_MADD _mm256_madd_epi16
#define I_ADD _mm256_add_epi32
#define I_ZERO _mm256_setzero_si256()
#define I_LD(p) _mm256_loadu_si256((const __m256i *)(p))
#define I_ST(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define I_ONES _mm256_set1_epi16(1)
#define I_TOPD(v) ((VD)_mm512_cvtepi32_pd(v))
static inline __m128i KN(to_i16)(VD v) {
	__m256i i = _mm512_cvttpd_epi32((__m512d)v);
	return _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
}
static inline IV KN(ilv)(__m128i a, __m128i b) {
	return _mm256_set_m128i(_mm_unpackhi_epi16(a, b), _mm_unpacklo_epi16(a, b));
}
static inline VD KN(vmax)(VD a, VD b) { return (VD)_mm512_max_pd((__m512d)a, (__m512d)b); }
static inline int KN(int_ok)(VD v) { /* integer in [0, 2^15) */
	__mmask8 k = _mm512_cmp_pd_mask((__m512d)v, _mm512_roundscale_pd((__m512d)v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC), _CMP_EQ_OQ);
	k &= _mm512_cmp_pd_mask((__m512d)v, _mm512_setzero_pd(), _CMP_GE_OQ);
	k &= _mm512_cmp_pd_mask((__m512d)v, _mm512_set1_pd(32767.0), _CMP_LE_OQ);
	return k == 0xff;
}
#else
#define IV __m128i
#define I_MADD _mm_madd_epi16
#define I_ADD _mm_add_epi32
#define I_ZERO _mm_setzero_si128()
#define I_LD(p) _mm_loadu_si128((const __m128i *)(p))
#define I_ST(p, v) _mm_storeu_si128((__m128i *)(p), v)
#define I_ONES _mm_set1_epi16(1)
#define I_TOPD(v) ((VD)_mm256_cvtepi32_pd(v))
static inline __m128i KN(to_i16)(VD v) {
	__m128i i = _mm256_cvttpd_epi32((__m256d)v);
	return _mm_packs_epi32(i, i);
}
static inline IV KN(ilv)(__m128i a, __m128i b) { return _mm_unpacklo_epi16(a, b); }
static inline VD KN(vmax)(VD a, VD b) { return (VD)_mm256_max_pd((__m256d)a, (__m256d)b); }
static inline int KN(int_ok)(VD v) {
	__m256d d = (__m256d)v;
	__m256d ok = _mm256_and_pd(_mm256_cmp_pd(d, _mm256_round_pd(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC), _CMP_EQ_OQ),
				   _mm256_and_pd(_mm256_cmp_pd(d, _mm256_setzero_pd(), _CMP_GE_OQ),
						 _mm256_cmp_pd(d, _mm256_set1_pd(32767.0), _CMP_LE_OQ)));
	return _mm256_movemask_pd(ok) == 0xf;
}
#endif

/* level0_int: see above. a: the level-0 series (8+m frames, W-interleaved
 * float64); acc[0..8) the lag accumulators, *sum the sum; pairs: scratch
 * of 2*(m/2+4) vectors of W*2 int16. */
static int KN(level0_int)(const double *a, long m, long count, int16_t *pairs, VD *acc, VD *sum) {
	long n = 8 + m;
	if (pairs == 0 || m < 2 || count + m > (1L << 20)) return 0;
	VD mx = KN(ld)(a);
	for (long u = 0; u < n; u++) {
		VD v = KN(ld)(a + u * W);
		if (!KN(int_ok)(v)) return 0;
		mx = KN(vmax)(mx, v);
	}
	double max = 0;
	for (int j = 0; j < W; j++) max = mx[j] > max ? mx[j] : max;
	long np2 = m / 2; /* pairs of new frames: u = 8, 10, ..., 8 + 2*(np2-1) */
	IV *P0 = (IV *)pairs, *P1 = P0 + (np2 + 4);
	__m128i fa = KN(to_i16)(KN(ld)(a));
	for (long j = 0; j < np2 + 4; j++) {
		__m128i fb = KN(to_i16)(KN(ld)(a + (2 * j + 1) * W));
		I_ST(P0 + j, KN(ilv)(fa, fb));
		if (2 * j + 2 < n) {
			__m128i fc = KN(to_i16)(KN(ld)(a + (2 * j + 2) * W));
			if (j < np2 + 3) I_ST(P1 + j, KN(ilv)(fb, fc));
			fa = fc;
		}
	}
	long K = 1L << 15;
	if (max >= 1) {
		long k2 = (long)(2147483647.0 / (2.0 * max * max));
		if (k2 < K) K = k2;
	}
	const IV ones = I_ONES;
	for (long s0 = 4; s0 < 4 + np2; s0 += K) {
		long s1 = s0 + K < 4 + np2 ? s0 + K : 4 + np2;
		IV i1 = I_ZERO, i2 = I_ZERO, i3 = I_ZERO, i4 = I_ZERO, i5 = I_ZERO, i6 = I_ZERO, i7 = I_ZERO, i8 = I_ZERO;
		IV is = I_ZERO;
		for (long s = s0; s < s1; s++) {
			IV v = I_LD(P0 + s);
			is = I_ADD(is, I_MADD(v, ones));
			i1 = I_ADD(i1, I_MADD(v, I_LD(P1 + s - 1)));
			i2 = I_ADD(i2, I_MADD(v, I_LD(P0 + s - 1)));
			i3 = I_ADD(i3, I_MADD(v, I_LD(P1 + s - 2)));
			i4 = I_ADD(i4, I_MADD(v, I_LD(P0 + s - 2)));
			i5 = I_ADD(i5, I_MADD(v, I_LD(P1 + s - 3)));
			i6 = I_ADD(i6, I_MADD(v, I_LD(P0 + s - 3)));
			i7 = I_ADD(i7, I_MADD(v, I_LD(P1 + s - 4)));
			i8 = I_ADD(i8, I_MADD(v, I_LD(P0 + s - 4)));
		}
		acc[0] += I_TOPD(i1);
		acc[1] += I_TOPD(i2);
		acc[2] += I_TOPD(i3);
		acc[3] += I_TOPD(i4);
		acc[4] += I_TOPD(i5);
		acc[5] += I_TOPD(i6);
		acc[6] += I_TOPD(i7);
		acc[7] += I_TOPD(i8);
		*sum += I_TOPD(is);
	}
	if (m % 2) { /* the last frame, in float64 (exact as well) */
		const double *p = a + (n - 1) * W;
		VD v = KN(ld)(p);
		*sum += v;
		for (int k = 0; k < 8; k++) acc[k] += v * KN(ld)(p - (k + 1) * W);
	}
	return 1;
}
#undef IV
#undef I_MADD
#undef I_ADD
#undef I_ZERO
#undef I_LD
#undef I_ST
#undef I_ONES
#undef I_TOPD

/*
 * group advances the state of groups sa (and sb when W = 8) through every
 * level for one block of frames: the port of correlateGroup. a holds the
 * W-interleaved level-0 frames at a[8*W:], room for 8+m frames (history
 * first); b is scratch of (8 + m/2 + 2)*W float64. plan holds per level
 * (m, carry_in, count), see levelPlan.
 */
static void KN(group)(double *sa, double *sb, double *a, double *b, const int64_t *plan, long nlev, int16_t *pairs) {
	for (long l = 0; l < nlev; l++) {
		long m = (long)plan[3 * l], carry_in = (long)plan[3 * l + 1], count = (long)plan[3 * l + 2];
		if (m == 0) return;
		double *A = sa + l * XPCS_GL * 4, *B = sb + l * XPCS_GL * 4;
		for (int k = 0; k < 8; k++) KN(st)(a + k * W, KN(ldw)(A, B, XPCS_OHIST + k));
		VD s = KN(ldw)(A, B, XPCS_OSUM);
		VD c5 = KN(ldw)(A, B, XPCS_OCORR + 4), c6 = KN(ldw)(A, B, XPCS_OCORR + 5);
		VD c7 = KN(ldw)(A, B, XPCS_OCORR + 6), c8 = KN(ldw)(A, B, XPCS_OCORR + 7);
		const double *x = a + 8 * W;
		VD ia[8];
		for (int k = 0; k < 8; k++) ia[k] = KN(ldw)(A, B, XPCS_OCORR + k);
		if (l == 0 && KN(level0_int)(a, m, count, pairs, ia, &s)) {
			for (int k = 0; k < 8; k++) KN(stw)(A, B, XPCS_OCORR + k, ia[k]);
			c5 = ia[4], c6 = ia[5], c7 = ia[6], c8 = ia[7];
		} else if (l == 0) {
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
 * first one starting group 0 of state) over m uint16 frames of npix pixels
 * (frame-major), pixel blocks of pb pixels (a multiple of 8) at a time:
 * transpose into W-interleaved float64 series in buf (pb*(8+m+1) float64),
 * then every level of every group. fsum[t] += Σ of frame t over the n
 * pixels (exact: at most 2^16 * pb < 2^53 per block). zstate
 * (nlev*GL float64) stands in for the missing second group of a pair at
 * the end of the range (W = 8).
 */
static void KN(block_u16)(const uint16_t *frames, long npix, long m, const int32_t *idx, long n, double *state,
			  long nlev, const int64_t *plan, double *buf, double *b, double *fsum, double *zstate, long pb,
			  int16_t *pairs) {
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
			const uint16_t *row = frames + t * npix;
			if (t + XPCS_PF < m) {
				const char *pf = (const char *)(row + XPCS_PF * npix + q0[0]);
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
					x = KN(cvt_u16)(row + q[0]); /* contiguous run: one load */
				} else {
					for (int j = 0; j < W; j++) x[j] = j < cnt ? (double)row[q[j]] : 0.0;
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
			KN(group)(sa, sb, buf + v * stride, b, plan, nlev, pairs);
		}
	}
}

/*
 * groups4 runs group() over ng consecutive groups of 4 pixels whose series
 * the Go transpose left in buf (4-interleaved, stride float64 per group):
 * the path of non-uint16 frames. Only instantiated with W = 4.
 */
#if W == 4
static void KN(groups4)(double *state, long ng, long nlev, const int64_t *plan, double *buf, long stride, double *b) {
	for (long g = 0; g < ng; g++) {
		double *st = state + g * nlev * XPCS_GL * 4;
		KN(group)(st, st, buf + g * stride, b, plan, nlev, 0);
	}
}
#endif

#undef VD
#undef VM
