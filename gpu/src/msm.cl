// Pippenger's bucket method for Σ kᵢ·Pᵢ, every phase on the device. The
// host defines the curve (curve.cl over FE_*) and the scalar field fr before
// this text: each curve group is its own program. The window width is not
// compiled in (only the digits and the reduction's indices use it; a
// specialised msm_digits measured no faster on POCL, BENCHMARKS.md), so one
// program serves every size. With window width c (a kernel argument, 2 ≤ c ≤ 20) a scalar
// is cut into nwin signed digits d in [−2^(c−1), 2^(c−1)]; window w has
// B = 2^(c−1) buckets, and a nonzero digit d of window w sends the point
// (negated when d < 0) to bucket key w·B + |d| − 1.
//
//  1. msm_digits: scalars → one key per (window, point) with the sign in
//     bit 31 (MSM_NONE for a zero digit), and a histogram of keys.
//  2. msm_scan_block, msm_scan_add: exclusive prefix sum of the histogram
//     (the bucket offsets), a work-group scan.
//  3. msm_scatter: counting sort, (point index | sign) into bucket order.
//  4. msm_accumulate: one work item per bucket adds its points (CPU
//     devices); on GPUs the msm_task_* kernels, tasks of at most T points
//     with a tree sum per bucket, so that a crowded bucket is not one
//     work item's serial chain.
//  5. msm_reduce_segments: Σ j·B_j per window, over segments of buckets.
//  6. msm_sum_pairs: a tree sum of each window's segments; msm_windows_jac:
//     the window sums W_w as Jacobian points, which the host combines
//     into Σ 2^(c·w)·W_w.

#define MSM_NONE 0xFFFFFFFFu
#define MSM_SIGN 0x80000000u

// MSM_BOUNDS bounds the bucket kernels' registers under CUDA where the host
// defines MSM_MIN_BLOCKS (gpu.EnvMSMMinBlocks): ptxas keeps them to what
// lets MSM_MIN_BLOCKS blocks of MSM_BLOCK threads (the size the host
// launches them with, gpu.EnvMSMBlock) reside on one multiprocessor, which
// trades registers (or spills) for occupancy.
#if defined(ZK_CUDA) && defined(MSM_MIN_BLOCKS)
#define MSM_BOUNDS __launch_bounds__(MSM_BLOCK, MSM_MIN_BLOCKS)
#else
#define MSM_BOUNDS
#endif

// msm_fill sets m words of a to v.
KERNEL void msm_fill(GLOBAL u32* a, u32 m, u32 v) {
	u32 i = GLOBAL_ID();
	if (i < m) a[i] = v;
}

// msm_inc adds 1 to ctr[k] and returns the value before, as an atomic
// increment does. Under CUDA the work items of a warp that hold the same k
// make one atomic between them (the warp-level __match_any_sync, one
// popcount each for its rank): where many entries share a bucket, as the
// 0/1 and small values of a witness make them, a GPU would otherwise
// serialise their atomics on one address, one at a time. OpenCL C 1.2 has
// no such instruction and keeps the plain atomic; so does ZK_NO_WARP
// (gpu.EnvWarp). Within a warp, one key's positions go to its work items
// in lane order; across warps in the order of their atomics, as before.
// The mask is __activemask(), the lanes running together at the call: a
// ballot over the full warp made before the callers' branches was tried,
// and deadlocked on the PTX interpreter (TestPTX), since NVRTC compiles the
// kernels' early returns into branches to one ret, so that the lanes that
// returned have not exited when the others reach the ballot.
DEVICE u32 msm_inc(GLOBAL u32* ctr, u32 k) {
#if defined(ZK_CUDA) && !defined(ZK_NO_WARP)
	u32 lane;
	asm("mov.u32 %0, %%laneid;" : "=r"(lane));
	u32 peers = __match_any_sync(__activemask(), k);
	u32 leader = __ffs(peers) - 1;
	u32 base = 0;
	if (lane == leader) base = atomicAdd(&ctr[k], (u32)__popc(peers));
	base = __shfl_sync(peers, base, leader);
	return base + (u32)__popc(peers & ((1u << lane) - 1u));
#else
	return ATOMIC_ADD_U32(&ctr[k], 1);
#endif
}

// msm_digits converts scalar soff + i from Montgomery form, cuts it into
// nwin signed c-bit digits, writes keys[w·n + i] and counts each key. (soff
// is a pass's first scalar where the scalars are already on the device,
// as a Groth16 quotient's H is; else 0.) A nonzero digit d of window w has
// key w·kstride + |d| − 1: kstride is B, each window with buckets of its
// own, or 0 where the points' window multiples are precomputed
// (msm_precompute) and every window shares one set of buckets.
KERNEL void msm_digits(const GLOBAL u64* scalars, u32 soff, u32 n, u32 c, u32 nwin, u32 kstride, GLOBAL u32* keys, GLOBAL u32* counts) {
	u32 i = GLOBAL_ID();
	if (i >= n) return;
	fr_t s = fr_from_mont(fr_load(scalars, soff + i));
	u32 nb = 1u << (c - 1);
	u32 carry = 0;
	// Window w is bits w·c … w·c+c−1 of s; c < 64, so it lies in limbs 0
	// and 1 of s once the limbs below it are shifted out (base: the bit
	// index of limb 0). Every limb index is a constant, so that s stays
	// in registers on a GPU.
	u32 base = 0;
	for (u32 w = 0; w < nwin; w++) {
		u32 lo = w * c;
		while (lo - base >= 64) {
			UNROLL
			for (u32 k = 0; k + 1 < fr_N; k++) s.v[k] = s.v[k + 1];
			s.v[fr_N - 1] = 0;
			base += 64;
		}
		u32 sh = lo - base;
		u64 v = s.v[0] >> sh;
		if (sh != 0) v |= s.v[1] << (64 - sh);
		u32 d = (u32)(v & ((1ul << c) - 1)) + carry;
		u32 neg = 0;
		carry = 0;
		if (d > nb) { // d − 2^c < 0: borrow from the next window
			d = (1u << c) - d;
			neg = MSM_SIGN;
			carry = 1;
		}
		u32 key = MSM_NONE;
		if (d != 0) {
			key = w * kstride + d - 1;
			msm_inc(counts, key);
			key |= neg;
		}
		keys[(u64)w * n + i] = key;
	}
}

// The bucket offsets are an exclusive prefix sum of the counts, in a
// work-group scan: msm_scan_block scans blocks of LOCAL_SIZE()·MSM_SCAN_K
// counts, each work item MSM_SCAN_K consecutive ones, the work items' sums
// in local memory (Hillis–Steele), and writes each block's total; the host
// scans the totals the same way (recursively) and msm_scan_add adds each
// block's offset. The work-group size is a power of two up to
// MSM_SCAN_MAXG.
#define MSM_SCAN_K 4
#define MSM_SCAN_MAXG 256

// msm_scan_block replaces each block of a[0 … m) by its exclusive prefix
// sum and writes the block's total to totals[block].
KERNEL void msm_scan_block(GLOBAL u32* a, u32 m, GLOBAL u32* totals) {
	LOCAL u32 sh[MSM_SCAN_MAXG];
	u32 lid = LOCAL_ID(), ls = LOCAL_SIZE();
	u32 base = (GROUP_ID() * ls + lid) * MSM_SCAN_K;
	u32 v[MSM_SCAN_K];
	u32 sum = 0;
	UNROLL
	for (u32 k = 0; k < MSM_SCAN_K; k++) {
		u32 x = base + k < m ? a[base + k] : 0;
		v[k] = sum;
		sum += x;
	}
	sh[lid] = sum;
	BARRIER();
	for (u32 off = 1; off < ls; off <<= 1) {
		u32 x = lid >= off ? sh[lid - off] : 0;
		BARRIER();
		sh[lid] += x;
		BARRIER();
	}
	u32 excl = sh[lid] - sum; // the sum of the block's earlier work items
	UNROLL
	for (u32 k = 0; k < MSM_SCAN_K; k++)
		if (base + k < m) a[base + k] = v[k] + excl;
	if (lid == ls - 1) totals[GROUP_ID()] = sh[lid];
}

// msm_scan_add adds block i / blk's offset offs[i / blk] to a[i] and
// copies the result to cursor[i] (the scatter's cursor; cursor may be a).
KERNEL void msm_scan_add(GLOBAL u32* a, GLOBAL u32* cursor, u32 m, u32 blk, const GLOBAL u32* offs) {
	u32 i = GLOBAL_ID();
	if (i >= m) return;
	u32 v = a[i] + offs[i / blk];
	a[i] = v;
	cursor[i] = v;
}

// msm_scatter places entry e = w·n + i (point i in window w) at its
// bucket's next free position, as the index of its point, i + w·pstride,
// with the digit's sign in bit 31: pstride is 0, or, where the points'
// window multiples are precomputed, the stride between their windows
// (2^(c·w)·P_i is point i + w·pstride). After it cursor[j] is the end of
// bucket j.
KERNEL void msm_scatter(const GLOBAL u32* keys, u32 n, u32 total, u32 pstride, GLOBAL u32* cursor, GLOBAL u32* sorted) {
	u32 e = GLOBAL_ID();
	if (e >= total) return;
	u32 key = keys[e];
	if (key == MSM_NONE) return;
	u32 pos = msm_inc(cursor, key & ~MSM_SIGN);
	sorted[pos] = (e % n + (e / n) * pstride) | (key & MSM_SIGN);
}

// msm_sum_entries returns the sum of the points that sorted[lo … hi)
// name (each negated where its sign bit is set).
DEVICE xyzz_t msm_sum_entries(const GLOBAL u64* points, u32 poff, const GLOBAL u32* sorted, u32 lo, u32 hi) {
	xyzz_t acc = xyzz_inf();
	for (u32 k = lo; k < hi; k++) {
		u32 v = sorted[k];
		aff_t q = aff_load(points, poff + (v & ~MSM_SIGN));
		if (aff_is_inf(q)) continue;
		if (v & MSM_SIGN) q.y = FE_neg(q.y);
		acc = xyzz_madd(acc, q);
	}
	return acc;
}

// msm_accumulate sums bucket j's points into buckets[j] (XYZZ); point i of
// the pass is points[poff + i] (poff: the pass's first point in a buffer of
// resident points, else 0).
KERNEL void MSM_BOUNDS msm_accumulate(const GLOBAL u64* points, u32 poff, const GLOBAL u32* start, const GLOBAL u32* end, const GLOBAL u32* sorted, u32 m, GLOBAL u64* buckets) {
	u32 j = GLOBAL_ID();
	if (j >= m) return;
	xyzz_store(buckets, j, msm_sum_entries(points, poff, sorted, start[j], end[j]));
}

// Bucket accumulation in tasks (the GPU path). A bucket's points are
// summed by tasks of at most T consecutive sorted entries, one work item
// each, so that a bucket holding a large share of the points (scalars that
// repeat, as 0/1 witness values do) is summed by many work items, not one.
// Task counts (msm_task_counts), their prefix sum (the scan above), a map
// from task to bucket (msm_task_map), the tasks' partial sums
// (msm_task_accumulate), a tree of pairwise additions within each bucket's
// tasks (msm_task_combine), and each bucket's first task's sum as the
// bucket (msm_task_buckets).

// msm_task_counts sets tcount[j] = ⌈(end[j] − start[j]) / T⌉.
KERNEL void msm_task_counts(const GLOBAL u32* start, const GLOBAL u32* end, u32 m, u32 T, GLOBAL u32* tcount) {
	u32 j = GLOBAL_ID();
	if (j >= m) return;
	tcount[j] = (end[j] - start[j] + T - 1) / T;
}

// msm_task_map writes bucket j into tbucket[toff[j] … toff[j] + tcount[j]).
// (tbucket holds MSM_NONE beyond the last task.)
KERNEL void msm_task_map(const GLOBAL u32* toff, const GLOBAL u32* tcount, u32 m, GLOBAL u32* tbucket) {
	u32 j = GLOBAL_ID();
	if (j >= m) return;
	u32 o = toff[j], c = tcount[j];
	for (u32 t = 0; t < c; t++) tbucket[o + t] = j;
}

// msm_task_accumulate sums task i's entries into partial[i]: the l-th T
// entries of its bucket j, l = i − toff[j].
KERNEL void MSM_BOUNDS msm_task_accumulate(const GLOBAL u64* points, u32 poff, const GLOBAL u32* start, const GLOBAL u32* end,
		const GLOBAL u32* sorted, const GLOBAL u32* tbucket, const GLOBAL u32* toff, u32 ntasks, u32 T,
		GLOBAL u64* partial) {
	u32 i = GLOBAL_ID();
	if (i >= ntasks) return;
	u32 j = tbucket[i];
	if (j == MSM_NONE) return;
	u32 lo = start[j] + (i - toff[j]) * T;
	xyzz_store(partial, i, msm_sum_entries(points, poff, sorted, lo, min(lo + T, end[j])));
}

// msm_task_combine is step s of the tree sum of each bucket's tasks: task
// i, the l-th of its bucket with l a multiple of 2^(s+1), adds in task
// i + 2^s if the bucket has it. After ⌈log2(most tasks of a bucket)⌉ steps
// each bucket's sum is in its first task.
KERNEL void msm_task_combine(GLOBAL u64* partial, const GLOBAL u32* tbucket, const GLOBAL u32* toff,
		const GLOBAL u32* tcount, u32 ntasks, u32 s) {
	u32 i = GLOBAL_ID();
	if (i >= ntasks) return;
	u32 j = tbucket[i];
	if (j == MSM_NONE) return;
	u32 l = i - toff[j], h = 1u << s;
	if ((l & (2 * h - 1)) != 0 || l + h >= tcount[j]) return;
	xyzz_add_g(partial, i, partial, i, partial, i + h);
}

// msm_task_buckets sets buckets[j] to bucket j's sum: its first task's, or
// the point at infinity for an empty bucket.
KERNEL void msm_task_buckets(const GLOBAL u64* partial, const GLOBAL u32* toff, const GLOBAL u32* tcount, u32 m,
		GLOBAL u64* buckets) {
	u32 j = GLOBAL_ID();
	if (j >= m) return;
	xyzz_store(buckets, j, tcount[j] != 0 ? xyzz_load(partial, toff[j]) : xyzz_inf());
}

// The reduction's formulas: inlined (MSM_INLINE_REDUCE, which the host
// defines for the curve groups whose points exceed BN254 G1's), since as
// calls the points they take by value pass through local memory there
// (TestNVRTCCubin reads the frames from the machine code); else calls,
// which compile faster. ZK_FORMULA_CALLS (gpu.EnvInline=0, Intel's GPUs)
// makes them calls everywhere, for the compile time.
#if defined(MSM_INLINE_REDUCE) && !defined(ZK_FORMULA_CALLS)
#define MSM_RADD xyzz_add_i
#define MSM_RDBL xyzz_dbl_i
#else
#define MSM_RADD xyzz_add
#define MSM_RDBL xyzz_dbl
#endif

// msm_reduce_segments computes, for segment s of window w (work item
// t = w·nseg + s, buckets w·nb + s·seglen … + seglen − 1, weights
// s·seglen + 1 … (s+1)·seglen), Σ weight·bucket by a running sum from the
// top, plus s·seglen times the segment's sum.
KERNEL void msm_reduce_segments(const GLOBAL u64* buckets, u32 nwin, u32 nb, u32 seglen, u32 nseg, GLOBAL u64* segs) {
	u32 t = GLOBAL_ID();
	if (t >= nwin * nseg) return;
	u32 w = t / nseg, s = t % nseg;
	u32 base = w * nb + s * seglen;
	xyzz_t run = xyzz_inf();
	xyzz_t acc = xyzz_inf();
	for (u32 j = seglen; j-- > 0;) {
		run = MSM_RADD(run, xyzz_load(buckets, base + j));
		acc = MSM_RADD(acc, run);
	}
	if (s == 0) {
		xyzz_store(segs, t, acc);
		return;
	}
	// acc + (s·seglen)·run, by double-and-add from the top set bit.
	u32 k = s * seglen;
	xyzz_t r = xyzz_inf();
	int top = 31;
	while (top >= 0 && ((k >> top) & 1) == 0) top--;
	for (int i = top; i >= 0; i--) {
		r = MSM_RDBL(r);
		if ((k >> i) & 1) r = MSM_RADD(r, run);
	}
	acc = MSM_RADD(acc, r);
	xyzz_store(segs, t, acc);
}

// msm_sum_pairs is one step of a tree sum of each window's segments: for
// every window w and i < span it adds segs[w·stride + i + span] into
// segs[w·stride + i]. The host runs it for span = nseg/2, nseg/4, …, 1,
// which leaves window w's sum in segs[w·stride]: log2(nseg) launches of one
// addition per work item instead of nseg additions in one.
KERNEL void msm_sum_pairs(GLOBAL u64* segs, u32 nwin, u32 stride, u32 span) {
	u32 t = GLOBAL_ID();
	if (t >= nwin * span) return;
	u32 a = (t / span) * stride + t % span;
	xyzz_add_g(segs, a, segs, a, segs, a + span);
}

// msm_windows_jac writes window w's sum, segs[w·stride], as the Jacobian
// point wins[w] (3 FE elements each), for the host to combine: the
// combination Σ 2^(c·w)·W_w is a chain of nwin·c doublings, which one
// thread of a GPU runs far slower than the host's CPU.
KERNEL void msm_windows_jac(const GLOBAL u64* segs, u32 nwin, u32 stride, GLOBAL u64* wins) {
	u32 w = GLOBAL_ID();
	if (w >= nwin) return;
	xyzz_store_jac(wins + (u64)w * 3 * (sizeof(FE_t) / sizeof(u64)), xyzz_load(segs, w * stride));
}
