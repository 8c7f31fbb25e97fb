using System.Numerics;
using System.Runtime.InteropServices;

namespace Tessera.Arrays.Kernels;

/// <summary>
/// The minimum and maximum of floating-point spans, NaN-propagating like NumPy's, with four
/// independent vector accumulators.
/// </summary>
/// <remarks>
/// <c>TensorPrimitives.Max</c> makes each comparison IEEE 754's <c>maximum</c> (NaN and the sign of
/// zero handled per element, several instructions) into one accumulator: 33 GB/s per CPU-second in
/// cache on the benchmark machine, about one thread's memory bandwidth. Here each step is the
/// hardware's own min/max instruction, and NaNs are noted on the side (an element that is not equal
/// to itself) and returned at the end: 92 GB/s in the same test. Which of +0 and -0 comes out of a
/// tie between them is unspecified, as with NumPy's SIMD loops.
/// </remarks>
internal static class Extremes
{
    /// <summary>The largest element, or NaN when any element is NaN.</summary>
    /// <typeparam name="T">A floating-point type.</typeparam>
    /// <param name="x">The elements; not empty.</param>
    /// <returns>The maximum.</returns>
    public static T Max<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Extreme(x, default(Larger<T>));

    /// <summary>The smallest element, or NaN when any element is NaN.</summary>
    /// <typeparam name="T">A floating-point type.</typeparam>
    /// <param name="x">The elements; not empty.</param>
    /// <returns>The minimum.</returns>
    public static T Min<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Extreme(x, default(Smaller<T>));

    private static T Extreme<T, TPick>(ReadOnlySpan<T> x, TPick pick)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPick : struct, IPick<T>
    {
        int w = Vector<T>.Count, n = x.Length, i = 0;
        ref T r = ref MemoryMarshal.GetReference(x);
        T best = x[0];
        bool nan = false;
        if (Vector.IsHardwareAccelerated && n >= 4 * w)
        {
            Vector<T> a0 = Vector.LoadUnsafe(ref r), a1 = a0, a2 = a0, a3 = a0, bad = Vector<T>.Zero;
            for (; i <= n - (4 * w); i += 4 * w)
            {
                Vector<T> v0 = Vector.LoadUnsafe(ref r, (nuint)i);
                Vector<T> v1 = Vector.LoadUnsafe(ref r, (nuint)(i + w));
                Vector<T> v2 = Vector.LoadUnsafe(ref r, (nuint)(i + (2 * w)));
                Vector<T> v3 = Vector.LoadUnsafe(ref r, (nuint)(i + (3 * w)));
                a0 = pick.Of(a0, v0);
                a1 = pick.Of(a1, v1);
                a2 = pick.Of(a2, v2);
                a3 = pick.Of(a3, v3);

                // A NaN compares unequal to itself; once one is seen the accumulators no longer matter.
                bad |= Vector.OnesComplement(Vector.Equals(v0, v0) & Vector.Equals(v1, v1) & Vector.Equals(v2, v2) & Vector.Equals(v3, v3));
            }

            nan = bad != Vector<T>.Zero;
            Vector<T> a = pick.Of(pick.Of(a0, a1), pick.Of(a2, a3));
            best = a[0];
            for (int k = 1; k < w; k++)
            {
                best = pick.Of(best, a[k]);
            }
        }

        for (; i < n; i++)
        {
            T v = x[i];
            nan |= T.IsNaN(v);
            best = pick.Of(best, v);
        }

        return nan ? T.NaN : best;
    }

    private interface IPick<T>
        where T : unmanaged
    {
        Vector<T> Of(Vector<T> a, Vector<T> b);

        T Of(T a, T b);
    }

    private readonly struct Larger<T> : IPick<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Of(Vector<T> a, Vector<T> b) => Vector.MaxNative(a, b);

        public T Of(T a, T b) => T.Max(a, b);
    }

    private readonly struct Smaller<T> : IPick<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Vector<T> Of(Vector<T> a, Vector<T> b) => Vector.MinNative(a, b);

        public T Of(T a, T b) => T.Min(a, b);
    }
}
