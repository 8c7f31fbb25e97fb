using System.Numerics;
using System.Runtime.InteropServices;

namespace Tessera.Arrays;

/// <summary>Matrix multiplication: OpenBLAS (<c>libopenblas.so.0</c>, loaded when present) or a managed blocked kernel.</summary>
public static partial class Blas
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;
    private const int Upper = 121;
    private static readonly nint s_library = Load();
    private static int s_threadsChosen;
    private static readonly unsafe delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> s_dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)Export("cblas_dgemm");
    private static readonly unsafe delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Export("cblas_sgemm");
    private static readonly unsafe delegate* unmanaged<int, int, int, int, int, double, double*, int, double, double*, int, void> s_dsyrk = (delegate* unmanaged<int, int, int, int, int, double, double*, int, double, double*, int, void>)Export("cblas_dsyrk");
    private static readonly unsafe delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void> s_ssyrk = (delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void>)Export("cblas_ssyrk");

    /// <summary>Gets whether OpenBLAS was found (Debian's <c>libopenblas0-pthread</c>); otherwise the managed kernel runs.</summary>
    public static bool IsNativeAvailable => s_library != 0;

    /// <summary>Gets or sets whether to use OpenBLAS when present (default true); false forces the managed kernel.</summary>
    public static bool UseNative { get; set; } = true;

    /// <summary>Sets the number of threads OpenBLAS uses for one product (its <c>openblas_set_num_threads</c>); no effect without OpenBLAS.</summary>
    /// <param name="threads">The number of threads (1 when the scheduler already runs one product per core).</param>
    /// <remarks>Once called, the block products of <see cref="DArray.MatMul{T}(DArray{T}, DArray{T})"/> keep this setting instead of limiting OpenBLAS to one thread.</remarks>
    public static void SetNumThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Volatile.Write(ref s_threadsChosen, 1);
        SetNativeThreads(threads);
    }

    /// <summary>
    /// Called by the block products of a chunked matrix product. The scheduler already runs one
    /// product per thread; OpenBLAS's own threads on top would oversubscribe the cores, and
    /// OpenBLAS's pthreads build queues concurrent multi-threaded calls on its one thread server.
    /// So the first block product limits OpenBLAS to one thread, unless the user chose a number:
    /// <see cref="SetNumThreads"/>, or <c>OPENBLAS_NUM_THREADS</c>/<c>OMP_NUM_THREADS</c> in the environment.
    /// </summary>
    internal static void LimitThreadsForBlocks()
    {
        if (Volatile.Read(ref s_threadsChosen) != 0 || Interlocked.CompareExchange(ref s_threadsChosen, 1, 0) != 0)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") is null && Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
        {
            SetNativeThreads(1);
        }
    }

    private static unsafe void SetNativeThreads(int threads)
    {
        nint f = Export("openblas_set_num_threads");
        if (f != 0)
        {
            ((delegate* unmanaged<int, void>)f)(threads);
        }
    }

    private static nint Load()
    {
        if (Environment.GetEnvironmentVariable("TESSERA_NO_BLAS") is "1" or "true")
        {
            return 0;
        }

        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "libopenblas.dylib", "libopenblas.dll" })
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
            {
                return handle;
            }
        }

        return 0;
    }

    private static nint Export(string name) => s_library != 0 && NativeLibrary.TryGetExport(s_library, name, out nint f) ? f : 0;

    internal static NDArray<T> MatMul<T>(NDArray<T> a, NDArray<T> b)
        where T : unmanaged, INumber<T> => SumOfProducts([a], [b]);

    /// <summary>
    /// The sum of the products <c>left[i] @ right[i]</c> (one output block of a chunked product),
    /// accumulated in one buffer: OpenBLAS adds each product to the result (<c>beta</c> = 1), so no
    /// partial product is allocated.
    /// </summary>
    internal static NDArray<T> SumOfProducts<T>(IReadOnlyList<NDArray<T>> left, IReadOnlyList<NDArray<T>> right)
        where T : unmanaged, INumber<T>
    {
        int m = -1, n = -1;
        for (int i = 0; i < left.Count; i++)
        {
            NDArray<T> a = left[i], b = right[i];
            if (a.NDim != 2 || b.NDim != 2)
            {
                throw new ArgumentException($"matmul: both operands must be 2-D; got shapes {Shapes.Format(a.ShapeArray)} and {Shapes.Format(b.ShapeArray)}.");
            }

            if (b.ShapeArray[0] != a.ShapeArray[1])
            {
                throw new ArgumentException($"matmul: shapes {Shapes.Format(a.ShapeArray)} and {Shapes.Format(b.ShapeArray)} are not aligned: {a.ShapeArray[1]} (dim 1) != {b.ShapeArray[0]} (dim 0).");
            }

            if (i == 0)
            {
                (m, n) = (a.ShapeArray[0], b.ShapeArray[1]);
            }
            else if (a.ShapeArray[0] != m || b.ShapeArray[1] != n)
            {
                throw new ArgumentException($"matmul: the products of a sum have shapes ({m}, {n}) and ({a.ShapeArray[0]}, {b.ShapeArray[1]}).");
            }
        }

        bool native = UseNative && HasNativeGemm<T>();
        T[] c = native ? BlockMemory.Allocate<T>((long)m * n) : BlockMemory.AllocateZeroed<T>((long)m * n);
        bool written = false;
        for (int i = 0; i < left.Count; i++)
        {
            NDArray<T> a = left[i], b = right[i];
            int k = a.ShapeArray[1];
            if (m == 0 || n == 0 || k == 0)
            {
                continue;
            }

            if (native)
            {
                (T[] ad, int ao, int lda, bool at) = Operand(a);
                (T[] bd, int bo, int ldb, bool bt) = Operand(b);
                Gemm(m, n, k, ad, ao, lda, at, bd, bo, ldb, bt, c, accumulate: written);
            }
            else
            {
                ManagedGemm(m, n, k, a.Contiguous(), b.Contiguous(), c);
            }

            written = true;
        }

        if (native && !written)
        {
            c.AsSpan().Clear();
        }

        return new NDArray<T>(c, [m, n]);
    }

    /// <summary>The sum of the products <c>left[i] @ right[i].T</c>: the transposes go to gemm as views (see <see cref="SumOfProducts"/>).</summary>
    internal static NDArray<T> SumOfTransposedProducts<T>(IReadOnlyList<NDArray<T>> left, IReadOnlyList<NDArray<T>> right)
        where T : unmanaged, INumber<T> => SumOfProducts(left, [.. right.Select(b => b.T)]);

    /// <summary>
    /// The sum of the products <c>row[i] @ row[i].T</c>: a diagonal block of a chunked <c>x @ x.T</c>.
    /// The result is symmetric, so OpenBLAS's syrk computes only its upper triangle (half of a gemm's
    /// multiplications), accumulated over the row like <see cref="SumOfProducts"/>, and the lower
    /// triangle is mirrored from it. Without OpenBLAS (or for types syrk does not take) the plain products.
    /// </summary>
    internal static NDArray<T> SumOfGrams<T>(IReadOnlyList<NDArray<T>> row)
        where T : unmanaged, INumber<T>
    {
        if (!(UseNative && HasNativeSyrk<T>()))
        {
            return SumOfTransposedProducts(row, row);
        }

        int m = row.Count == 0 ? 0 : row[0].ShapeArray[0];
        foreach (NDArray<T> a in row)
        {
            if (a.NDim != 2 || a.ShapeArray[0] != m)
            {
                throw new ArgumentException($"matmul: the blocks of a row of x in x @ x.T must be 2-D with {m} rows; got shape {Shapes.Format(a.ShapeArray)}.");
            }
        }

        T[] c = BlockMemory.Allocate<T>((long)m * m);
        bool written = false;
        foreach (NDArray<T> a in row)
        {
            int k = a.ShapeArray[1];
            if (m == 0 || k == 0)
            {
                continue;
            }

            (T[] ad, int ao, int lda, bool at) = Operand(a);
            Syrk(m, k, ad, ao, lda, at, c, accumulate: written);
            written = true;
        }

        if (!written)
        {
            c.AsSpan().Clear();
        }
        else
        {
            MirrorUpper(c, m);
        }

        return new NDArray<T>(c, [m, m]);
    }

    // Copies the upper triangle of the row-major m×m matrix c onto its lower triangle, tile by tile.
    private static void MirrorUpper<T>(T[] c, int m)
    {
        const int Tile = 64;
        for (int i0 = 0; i0 < m; i0 += Tile)
        {
            int i1 = Math.Min(m, i0 + Tile);
            for (int j0 = 0; j0 <= i0; j0 += Tile)
            {
                int j1 = Math.Min(m, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < Math.Min(j1, i); j++)
                    {
                        c[(i * m) + j] = c[(j * m) + i];
                    }
                }
            }
        }
    }

    private static unsafe bool HasNativeSyrk<T>()
        where T : unmanaged => (typeof(T) == typeof(double) && s_dsyrk != null) || (typeof(T) == typeof(float) && s_ssyrk != null);

    // The upper triangle of c = a @ a.T (or c += a @ a.T); a is m×k, stored row-major, or stored
    // k×m when transposed (then a @ a.T is stored.T @ stored).
    private static unsafe void Syrk<T>(int m, int k, T[] a, int ao, int lda, bool at, T[] c, bool accumulate)
        where T : unmanaged
    {
        fixed (T* pa = a, pc = c)
        {
            if (typeof(T) == typeof(double))
            {
                s_dsyrk(RowMajor, Upper, at ? Trans : NoTrans, m, k, 1.0, (double*)pa + ao, lda, accumulate ? 1.0 : 0.0, (double*)pc, m);
            }
            else
            {
                s_ssyrk(RowMajor, Upper, at ? Trans : NoTrans, m, k, 1f, (float*)pa + ao, lda, accumulate ? 1f : 0f, (float*)pc, m);
            }
        }
    }

    /// <summary>A row-major or transposed-row-major view of a 2-D operand for gemm, copying only when neither fits.</summary>
    private static (T[] Data, int Offset, int Ld, bool Transposed) Operand<T>(NDArray<T> x)
        where T : unmanaged
    {
        int r = x.ShapeArray[0], cols = x.ShapeArray[1];
        int s0 = x.StridesArray[0], s1 = x.StridesArray[1];
        if ((s1 == 1 || cols == 1) && s0 >= Math.Max(cols, 1))
        {
            return (x.Data, x.Offset, Math.Max(s0, 1), false);
        }

        if ((s0 == 1 || r == 1) && s1 >= Math.Max(r, 1))
        {
            return (x.Data, x.Offset, Math.Max(s1, 1), true);
        }

        NDArray<T> c = x.Copy();
        return (c.Data, 0, Math.Max(cols, 1), false);
    }

    private static unsafe bool HasNativeGemm<T>()
        where T : unmanaged => (typeof(T) == typeof(double) && s_dgemm != null) || (typeof(T) == typeof(float) && s_sgemm != null);

    // c = a @ b, or c += a @ b when accumulating; only for the types HasNativeGemm accepts.
    private static unsafe void Gemm<T>(int m, int n, int k, T[] a, int ao, int lda, bool at, T[] b, int bo, int ldb, bool bt, T[] c, bool accumulate)
        where T : unmanaged
    {
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (typeof(T) == typeof(double))
            {
                s_dgemm(RowMajor, at ? Trans : NoTrans, bt ? Trans : NoTrans, m, n, k, 1.0, (double*)pa + ao, lda, (double*)pb + bo, ldb, accumulate ? 1.0 : 0.0, (double*)pc, n);
            }
            else
            {
                s_sgemm(RowMajor, at ? Trans : NoTrans, bt ? Trans : NoTrans, m, n, k, 1f, (float*)pa + ao, lda, (float*)pb + bo, ldb, accumulate ? 1f : 0f, (float*)pc, n);
            }
        }
    }

    /// <summary>Cache-blocked i-k-j product with vectorized inner rows.</summary>
    internal static void ManagedGemm<T>(int m, int n, int k, NDArray<T> a, NDArray<T> b, T[] c)
        where T : unmanaged, INumber<T>
    {
        const int BlockK = 256, BlockN = 1024;
        T[] ad = a.Data, bd = b.Data;
        int ao = a.Offset, bo = b.Offset;
        for (int k0 = 0; k0 < k; k0 += BlockK)
        {
            int k1 = Math.Min(k, k0 + BlockK);
            for (int j0 = 0; j0 < n; j0 += BlockN)
            {
                int j1 = Math.Min(n, j0 + BlockN);
                int width = j1 - j0;
                for (int i = 0; i < m; i++)
                {
                    Span<T> crow = c.AsSpan((i * n) + j0, width);
                    for (int p = k0; p < k1; p++)
                    {
                        T aip = ad[ao + (i * k) + p];
                        if (aip == T.Zero)
                        {
                            continue;
                        }

                        ReadOnlySpan<T> brow = bd.AsSpan(bo + (p * n) + j0, width);
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(brow, aip, crow, crow);
                    }
                }
            }
        }
    }
}
