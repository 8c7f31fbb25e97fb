using System.Numerics;
using System.Runtime.InteropServices;

namespace Tessera.Arrays;

/// <summary>Matrix multiplication: OpenBLAS (<c>libopenblas.so.0</c>, loaded when present) or a managed blocked kernel.</summary>
public static partial class Blas
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;
    private static readonly nint s_library = Load();
    private static readonly unsafe delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> s_dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)Export("cblas_dgemm");
    private static readonly unsafe delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Export("cblas_sgemm");

    /// <summary>Gets whether OpenBLAS was found (Debian's <c>libopenblas0-pthread</c>); otherwise the managed kernel runs.</summary>
    public static bool IsNativeAvailable => s_library != 0;

    /// <summary>Gets or sets whether to use OpenBLAS when present (default true); false forces the managed kernel.</summary>
    public static bool UseNative { get; set; } = true;

    /// <summary>Sets the number of threads OpenBLAS uses for one product (its <c>openblas_set_num_threads</c>); no effect without OpenBLAS.</summary>
    /// <param name="threads">The number of threads (1 when the scheduler already runs one product per core).</param>
    public static unsafe void SetNumThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
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
        where T : unmanaged, INumber<T>
    {
        if (a.NDim != 2 || b.NDim != 2)
        {
            throw new ArgumentException($"matmul: both operands must be 2-D; got shapes {Shapes.Format(a.ShapeArray)} and {Shapes.Format(b.ShapeArray)}.");
        }

        int m = a.ShapeArray[0], k = a.ShapeArray[1], n = b.ShapeArray[1];
        if (b.ShapeArray[0] != k)
        {
            throw new ArgumentException($"matmul: shapes {Shapes.Format(a.ShapeArray)} and {Shapes.Format(b.ShapeArray)} are not aligned: {k} (dim 1) != {b.ShapeArray[0]} (dim 0).");
        }

        var c = BlockMemory.AllocateZeroed<T>((long)m * n);
        if (m == 0 || n == 0 || k == 0)
        {
            return new NDArray<T>(c, [m, n]);
        }

        (T[] ad, int ao, int lda, bool at) = Operand(a);
        (T[] bd, int bo, int ldb, bool bt) = Operand(b);
        if (UseNative && TryGemm(m, n, k, ad, ao, lda, at, bd, bo, ldb, bt, c))
        {
            return new NDArray<T>(c, [m, n]);
        }

        ManagedGemm(m, n, k, a.Contiguous(), b.Contiguous(), c);
        return new NDArray<T>(c, [m, n]);
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

    private static unsafe bool TryGemm<T>(int m, int n, int k, T[] a, int ao, int lda, bool at, T[] b, int bo, int ldb, bool bt, T[] c)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double) && s_dgemm != null)
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                s_dgemm(RowMajor, at ? Trans : NoTrans, bt ? Trans : NoTrans, m, n, k, 1.0, (double*)pa + ao, lda, (double*)pb + bo, ldb, 0.0, (double*)pc, n);
            }

            return true;
        }

        if (typeof(T) == typeof(float) && s_sgemm != null)
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                s_sgemm(RowMajor, at ? Trans : NoTrans, bt ? Trans : NoTrans, m, n, k, 1f, (float*)pa + ao, lda, (float*)pb + bo, ldb, 0f, (float*)pc, n);
            }

            return true;
        }

        return false;
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
