using System.Numerics;

namespace Tessera.Arrays.Kernels;

/// <summary>Finds NaNs in spans of floating-point values.</summary>
internal static class NaNs
{
    /// <summary>Gets whether <paramref name="x"/> holds a NaN, a vector at a time (a NaN lane does not equal itself).</summary>
    public static bool Any<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(x[i..]);
                if (!Vector.EqualsAll(v, v))
                {
                    return true;
                }
            }
        }

        for (; i < x.Length; i++)
        {
            if (T.IsNaN(x[i]))
            {
                return true;
            }
        }

        return false;
    }
}
