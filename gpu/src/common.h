// zkaccel device source: the portability header. Everything after it is
// written once and compiles both as OpenCL C 1.2 and as CUDA C++ (NVRTC).
// A 64-bit literal takes the suffix UL, never ULL: OpenCL C reserves long
// long for a 128-bit type (clang gives a ULL literal 128 bits), and C++
// gives a UL literal too large for a 32-bit long the type unsigned long
// long.
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define ZK_CUDA 1
typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
#define KERNEL extern "C" __global__
#define DEVICE static __device__ __forceinline__
// DEVICE_NOINLINE marks the large curve formulas: inlined into every call
// site they make NVRTC's output (and its compile time) grow tenfold, so
// they are calls unless ZK_FORMULA_INLINE (gpu.EnvInline=1).
#ifdef ZK_FORMULA_INLINE
#define DEVICE_NOINLINE static __device__ __forceinline__
#else
#define DEVICE_NOINLINE static __device__ __noinline__
#endif
#define GLOBAL
#define LOCAL __shared__
#define LOCALPTR
#define CONSTANT __constant__
#define GLOBAL_ID() ((u32)(blockIdx.x * blockDim.x + threadIdx.x))
#define LOCAL_ID() ((u32)threadIdx.x)
#define GROUP_ID() ((u32)blockIdx.x)
#define LOCAL_SIZE() ((u32)blockDim.x)
#define GLOBAL_SIZE() ((u32)(gridDim.x * blockDim.x))
#define BARRIER() __syncthreads()
#define MULHI64(a, b) __umul64hi((a), (b))
#define MULHI32(a, b) __umulhi((a), (b))
#define ATOMIC_ADD_U32(p, v) atomicAdd((unsigned int*)(p), (unsigned int)(v))
#define UNROLL _Pragma("unroll")
// ROLLED keeps the loop it precedes rolled: for loops whose iterations
// depend on each other, where unrolling buys no parallelism and costs
// registers.
#define ROLLED _Pragma("unroll 1")
// Field multiplication over 32-bit words (field64.cl), unless ZK_MUL64.
#if !defined(ZK_MUL64) && !defined(ZK_MUL32)
#define ZK_MUL32 1
#endif
#else
#define ZK_OPENCL 1
typedef uchar u8;
typedef uint u32;
typedef int i32;
typedef ulong u64;
typedef long i64;
#define KERNEL __kernel
#define DEVICE static inline
// DEVICE_NOINLINE marks the large curve formulas: calls with
// ZK_FORMULA_CALLS (gpu.EnvInline=0, and the default on Intel's GPUs,
// whose compiler takes half an hour over a G2 MSM with them inlined),
// inlined at every call site with ZK_FORMULA_INLINE (gpu.EnvInline=1),
// else as the compiler chooses.
#if defined(ZK_FORMULA_INLINE)
#define DEVICE_NOINLINE static inline __attribute__((always_inline))
#elif defined(ZK_FORMULA_CALLS)
#define DEVICE_NOINLINE static __attribute__((noinline))
#else
#define DEVICE_NOINLINE static inline
#endif
#define GLOBAL __global
#define LOCAL __local
#define LOCALPTR __local
#define CONSTANT __constant
#define GLOBAL_ID() ((u32)get_global_id(0))
#define LOCAL_ID() ((u32)get_local_id(0))
#define GROUP_ID() ((u32)get_group_id(0))
#define LOCAL_SIZE() ((u32)get_local_size(0))
#define GLOBAL_SIZE() ((u32)get_global_size(0))
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)
#define MULHI64(a, b) mul_hi((u64)(a), (u64)(b))
#define MULHI32(a, b) mul_hi((u32)(a), (u32)(b))
#define ATOMIC_ADD_U32(p, v) atomic_add((volatile GLOBAL u32*)(p), (u32)(v))
#define UNROLL
#define ROLLED
#endif
#if defined(ZK_MUL32) && defined(ZK_MUL64)
#error "ZK_MUL32 and ZK_MUL64 are exclusive"
#endif
#if defined(ZK_FORMULA_CALLS) && defined(ZK_FORMULA_INLINE)
#error "ZK_FORMULA_CALLS and ZK_FORMULA_INLINE are exclusive"
#endif
