using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Arrays.Kernels;

/// <summary>
/// Floating-point sums as accurate as NumPy's pairwise summation and as fast as memory allows.
/// </summary>
/// <remarks>
/// <para>The input is cut into blocks of <see cref="BlockVectors"/> vectors per accumulator. A
/// block is summed by <see cref="Accumulators"/> independent vector accumulators (so one thread
/// is not held up by the latency of a chain of additions), which are then added as a tree; the
/// block sums are combined pairwise, like a binary counter: block sum 2k+1 is added to block sum
/// 2k, that pair to the pair before it, and so on. Every partial sum thus takes at most
/// <see cref="BlockVectors"/> sequential additions of input elements (NumPy's pairwise sum: 16
/// per accumulator in blocks of 128), and the rounding error grows with the logarithm of the
/// length instead of the length.</para>
/// <para><c>TensorPrimitives.Sum</c> keeps one vector accumulator for the whole span: each lane
/// adds n / 64 partial sums in sequence, an error that grows with the length.</para>
/// </remarks>
internal static class Summation
{
    /// <summary>The number of independent vector accumulators.</summary>
    public const int Accumulators = 8;

    /// <summary>The number of vectors each accumulator adds within one block.</summary>
    public const int BlockVectors = 16;

    /// <summary>The pairwise sum of <paramref name="x"/>.</summary>
    /// <typeparam name="T">A floating-point type.</typeparam>
    /// <param name="x">The elements.</param>
    /// <returns>The sum (zero when empty).</returns>
    public static T Sum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Sum(x, default(Plain<T>));

    /// <summary>The pairwise sum of the squared deviations from <paramref name="mean"/> (the M2 of a variance), in one pass without a scratch buffer.</summary>
    /// <typeparam name="T">A floating-point type.</typeparam>
    /// <param name="x">The elements.</param>
    /// <param name="mean">Their mean.</param>
    /// <returns>The sum of (x - mean)².</returns>
    public static T SumSquaredDeviations<T>(ReadOnlySpan<T> x, T mean)
        where T : unmanaged, IFloatingPointIeee754<T> => Sum(x, new SquaredDeviation<T>(mean));

    /// <summary>The pairwise sum of the elements that are not NaN (NumPy's <c>nansum</c>).</summary>
    /// <typeparam name="T">A floating-point type.</typeparam>
    /// <param name="x">The elements.</param>
    /// <returns>The sum, NaNs counted as zero.</returns>
    public static T NanSum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Sum(x, default(NanAsZero<T>));

    private static T Sum<T, TTerm>(ReadOnlySpan<T> x, TTerm term)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : struct, ITerm<T>
    {
        int block = Accumulators * BlockVectors * Vector<T>.Count;
        if (x.Length <= block)
        {
            return SumBlock(x, term);
        }

        // levels[k] holds the sum of the last complete run of 2^k blocks not yet paired.
        Span<T> levels = stackalloc T[32];
        long count = 0;
        for (int start = 0; start < x.Length; start += block)
        {
            T s = SumBlock(x.Slice(start, Math.Min(block, x.Length - start)), term);
            int level = 0;
            for (long c = count; (c & 1) != 0; c >>= 1, level++)
            {
                s = levels[level] + s;
            }

            levels[level] = s;
            count++;
        }

        // The unpaired runs, smallest (latest) first.
        T total = T.Zero;
        bool any = false;
        for (int level = 0; count != 0; level++, count >>= 1)
        {
            if ((count & 1) != 0)
            {
                total = any ? levels[level] + total : levels[level];
                any = true;
            }
        }

        return total;
    }

    private static T SumBlock<T, TTerm>(ReadOnlySpan<T> x, TTerm term)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTerm : struct, ITerm<T>
    {
        int w = Vector<T>.Count;
        int n = x.Length;
        ref T r = ref MemoryMarshal.GetReference(x);
        int i = 0;
        T tail = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= Accumulators * w)
        {
            Vector<T> a0 = Vector<T>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (; i <= n - (Accumulators * w); i += Accumulators * w)
            {
                a0 += term.Of(Load(ref r, i));
                a1 += term.Of(Load(ref r, i + w));
                a2 += term.Of(Load(ref r, i + (2 * w)));
                a3 += term.Of(Load(ref r, i + (3 * w)));
                a4 += term.Of(Load(ref r, i + (4 * w)));
                a5 += term.Of(Load(ref r, i + (5 * w)));
                a6 += term.Of(Load(ref r, i + (6 * w)));
                a7 += term.Of(Load(ref r, i + (7 * w)));
            }

            for (; i <= n - w; i += w)
            {
                a0 += term.Of(Load(ref r, i));
            }

            Vector<T> v = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
            tail = Vector.Sum(v);
        }

        // What is left (fewer than one vector, or all of a short span): eight scalar accumulators.
        T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero, s4 = T.Zero, s5 = T.Zero, s6 = T.Zero, s7 = T.Zero;
        for (; i <= n - 8; i += 8)
        {
            s0 += term.Of(Unsafe.Add(ref r, i));
            s1 += term.Of(Unsafe.Add(ref r, i + 1));
            s2 += term.Of(Unsafe.Add(ref r, i + 2));
            s3 += term.Of(Unsafe.Add(ref r, i + 3));
            s4 += term.Of(Unsafe.Add(ref r, i + 4));
            s5 += term.Of(Unsafe.Add(ref r, i + 5));
            s6 += term.Of(Unsafe.Add(ref r, i + 6));
            s7 += term.Of(Unsafe.Add(ref r, i + 7));
        }

        T rest = T.Zero;
        for (; i < n; i++)
        {
            rest += term.Of(Unsafe.Add(ref r, i));
        }

        return tail + (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + rest);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load<T>(ref T r, int i)
        where T : unmanaged => Vector.LoadUnsafe(ref r, (nuint)i);

    /// <summary>What is summed for each element.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    private interface ITerm<T>
        where T : unmanaged
    {
        Vector<T> Of(Vector<T> v);

        T Of(T v);
    }

    private readonly struct Plain<T> : ITerm<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Of(Vector<T> v) => v;

        public T Of(T v) => v;
    }

    private readonly struct NanAsZero<T> : ITerm<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Of(Vector<T> v) => Vector.ConditionalSelect(Vector.Equals(v, v), v, Vector<T>.Zero);

        public T Of(T v) => T.IsNaN(v) ? T.Zero : v;
    }

    private readonly struct SquaredDeviation<T> : ITerm<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _mean;
        private readonly Vector<T> _means;

        public SquaredDeviation(T mean)
        {
            _mean = mean;
            _means = new Vector<T>(mean);
        }

        public Vector<T> Of(Vector<T> v)
        {
            Vector<T> d = v - _means;
            return d * d;
        }

        public T Of(T v) => (v - _mean) * (v - _mean);
    }
}
