using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tessera.Arrays.Kernels;

/// <summary>
/// Column sums of <c>a op b</c> for doubles where <c>a</c>'s rows and <c>b</c>'s columns are
/// contiguous (<c>b</c> a transposed block, as the blocks of <c>x.T</c> are): <c>acc[c] += a[r, c] op
/// b[r, c]</c> for the rows in order, four columns by eight rows at a time in registers, each 4 × 4
/// patch of <c>b</c> turned with AVX shuffles. The columns go in strips, each strip down all the
/// rows, so <c>b</c> is read along its own rows a cache line at a time and each column still gets
/// its rows in order: with every operation correctly rounded lane by lane, the sums are bit for bit
/// those of adding the rows of the materialized <c>a op b</c> one after the other.
/// </summary>
internal static class TransposedSums
{
    /// <summary>Columns of one strip (the rows of <c>b</c> that are read side by side).</summary>
    private const int StripColumns = 64;

    private interface IOperation
    {
        static abstract Vector256<double> Apply(Vector256<double> x, Vector256<double> y);

        static abstract double Apply(double x, double y);
    }

    /// <summary>Adds the rows of <paramref name="a"/> op <paramref name="b"/> to <paramref name="acc"/>; false (nothing done) where this kernel does not apply.</summary>
    public static bool TryAccumulate<T>(BinaryOp op, StridedMatrix<T> a, StridedMatrix<T> b, Span<T> acc)
        where T : unmanaged
    {
        if (typeof(T) != typeof(double) || !Avx.IsSupported || !a.HasRowSpans || !b.HasColumnSpans || b.HasRowSpans)
        {
            return false;
        }

        var ad = Unsafe.As<StridedMatrix<double>>(a);
        var bd = Unsafe.As<StridedMatrix<double>>(b);
        Span<double> sums = MemoryMarshal.Cast<T, double>(acc);
        switch (op)
        {
            case BinaryOp.Add:
                Accumulate<Add>(ad, bd, sums);
                return true;
            case BinaryOp.Subtract:
                Accumulate<Subtract>(ad, bd, sums);
                return true;
            case BinaryOp.Multiply:
                Accumulate<Multiply>(ad, bd, sums);
                return true;
            default:
                return false;
        }
    }

    private static void Accumulate<TOp>(StridedMatrix<double> a, StridedMatrix<double> b, Span<double> acc)
        where TOp : IOperation
    {
        int rows = a.Rows, cols = a.Cols, blockRows = rows - (rows % 8);
        ref double ar = ref MemoryMarshal.GetArrayDataReference(a.Data);
        ref double br = ref MemoryMarshal.GetArrayDataReference(b.Data);
        ref double sr = ref MemoryMarshal.GetReference(acc);
        for (int c0 = 0; c0 < cols; c0 += StripColumns)
        {
            int c1 = Math.Min(cols, c0 + StripColumns), quads = c0 + ((c1 - c0) & ~3);
            for (int r0 = 0; r0 < blockRows; r0 += 8)
            {
                int a0 = a.RowStart(r0), a1 = a.RowStart(r0 + 1), a2 = a.RowStart(r0 + 2), a3 = a.RowStart(r0 + 3);
                int a4 = a.RowStart(r0 + 4), a5 = a.RowStart(r0 + 5), a6 = a.RowStart(r0 + 6), a7 = a.RowStart(r0 + 7);
                for (int c = c0; c < quads; c += 4)
                {
                    int b0 = b.ColumnStart(c) + r0, b1 = b.ColumnStart(c + 1) + r0, b2 = b.ColumnStart(c + 2) + r0, b3 = b.ColumnStart(c + 3) + r0;
                    Transpose(Load(ref br, b0), Load(ref br, b1), Load(ref br, b2), Load(ref br, b3), out Vector256<double> w0, out Vector256<double> w1, out Vector256<double> w2, out Vector256<double> w3);
                    Transpose(Load(ref br, b0 + 4), Load(ref br, b1 + 4), Load(ref br, b2 + 4), Load(ref br, b3 + 4), out Vector256<double> w4, out Vector256<double> w5, out Vector256<double> w6, out Vector256<double> w7);
                    Vector256<double> s = Load(ref sr, c);
                    s += TOp.Apply(Load(ref ar, a0 + c), w0);
                    s += TOp.Apply(Load(ref ar, a1 + c), w1);
                    s += TOp.Apply(Load(ref ar, a2 + c), w2);
                    s += TOp.Apply(Load(ref ar, a3 + c), w3);
                    s += TOp.Apply(Load(ref ar, a4 + c), w4);
                    s += TOp.Apply(Load(ref ar, a5 + c), w5);
                    s += TOp.Apply(Load(ref ar, a6 + c), w6);
                    s += TOp.Apply(Load(ref ar, a7 + c), w7);
                    s.StoreUnsafe(ref sr, (nuint)c);
                }

                AccumulateScalar<TOp>(a, b, acc, r0, r0 + 8, quads, c1);
            }

            AccumulateScalar<TOp>(a, b, acc, blockRows, rows, c0, c1);
        }
    }

    // The columns [c0, c1) of the rows [r0, r1), one element at a time (the edges of the strips).
    private static void AccumulateScalar<TOp>(StridedMatrix<double> a, StridedMatrix<double> b, Span<double> acc, int r0, int r1, int c0, int c1)
        where TOp : IOperation
    {
        double[] ad = a.Data, bd = b.Data;
        for (int c = c0; c < c1; c++)
        {
            int bc = b.ColumnStart(c);
            double s = acc[c];
            for (int r = r0; r < r1; r++)
            {
                s += TOp.Apply(ad[a.RowStart(r) + c], bd[bc + r]);
            }

            acc[c] = s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(ref double data, int index) => Vector256.LoadUnsafe(ref data, (nuint)index);

    /// <summary>Columns v0..v3 of a 4 × 4 patch (vj[i] = element (i, j)) to its rows w0..w3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3,
        out Vector256<double> w0, out Vector256<double> w1, out Vector256<double> w2, out Vector256<double> w3)
    {
        Vector256<double> t0 = Avx.UnpackLow(v0, v1), t1 = Avx.UnpackHigh(v0, v1), t2 = Avx.UnpackLow(v2, v3), t3 = Avx.UnpackHigh(v2, v3);
        w0 = Avx.Permute2x128(t0, t2, 0x20);
        w1 = Avx.Permute2x128(t1, t3, 0x20);
        w2 = Avx.Permute2x128(t0, t2, 0x31);
        w3 = Avx.Permute2x128(t1, t3, 0x31);
    }

    private readonly struct Add : IOperation
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => x + y;

        public static double Apply(double x, double y) => x + y;
    }

    private readonly struct Subtract : IOperation
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => x - y;

        public static double Apply(double x, double y) => x - y;
    }

    private readonly struct Multiply : IOperation
    {
        public static Vector256<double> Apply(Vector256<double> x, Vector256<double> y) => x * y;

        public static double Apply(double x, double y) => x * y;
    }
}
