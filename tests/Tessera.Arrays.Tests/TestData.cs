namespace Tessera.Arrays.Tests;

/// <summary>Random shapes, chunkings and values for property tests, all derived from one seed.</summary>
internal static class TestData
{
    public static int[] Shape(Random r, int minDim = 1, int maxDim = 3, int maxLen = 7)
    {
        int ndim = r.Next(minDim, maxDim + 1);
        return [.. Enumerable.Range(0, ndim).Select(_ => r.Next(1, maxLen + 1))];
    }

    /// <summary>A random basic index: per axis an integer or a slice with a step (either sign), sometimes after a new axis.</summary>
    public static Ix[] BasicIndex(Random r, int[] shape)
    {
        var index = new List<Ix>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (r.Next(5) == 0)
            {
                index.Add(Ix.NewAxis);
            }

            int step = r.Next(1, 4) * (r.Next(2) == 0 ? 1 : -1);
            index.Add(r.Next(4) == 0 ? Ix.At(r.Next(-shape[i], shape[i])) : Ix.S(r.Next(3) == 0 ? null : r.Next(-10, 10), r.Next(3) == 0 ? null : r.Next(-10, 10), step));
        }

        return [.. index];
    }

    /// <summary>A random partition of each axis into blocks (regular or irregular).</summary>
    public static int[][] Chunks(Random r, int[] shape) => [.. shape.Select(n => Partition(r, n))];

    public static int[] Partition(Random r, int n)
    {
        if (n == 0)
        {
            return [0];
        }

        if (r.Next(2) == 0)
        {
            int size = r.Next(1, n + 1);
            var regular = new List<int>();
            for (int left = n; left > 0; left -= size)
            {
                regular.Add(Math.Min(size, left));
            }

            return [.. regular];
        }

        var parts = new List<int>();
        int run = 0;
        for (int i = 0; i < n; i++)
        {
            run++;
            if (i == n - 1 || r.Next(3) == 0)
            {
                parts.Add(run);
                run = 0;
            }
        }

        return [.. parts];
    }

    public static NDArray<double> Doubles(Random r, int[] shape, bool nans = false)
    {
        var data = new double[shape.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = nans && r.Next(5) == 0 ? double.NaN : Math.Round((r.NextDouble() * 20) - 10, 3);
        }

        return NDArray<double>.FromArray(data, shape);
    }

    public static NDArray<T> Values<T>(Random r, int[] shape)
        where T : unmanaged
    {
        NDArray<double> d = Doubles(r, shape);
        if (typeof(T) == typeof(bool))
        {
            return (NDArray<T>)(object)(d > 0.0);
        }

        if (typeof(T) == typeof(byte) || typeof(T) == typeof(ushort) || typeof(T) == typeof(uint) || typeof(T) == typeof(ulong))
        {
            d = d.Abs();
        }

        return d.AsType<T>();
    }

    public static void Close(NDArray<double> expected, NDArray<double> actual, double tolerance = 1e-9)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] e = expected.ToArray(), a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]))
            {
                Assert.True(double.IsNaN(a[i]), $"element {i}: expected NaN, got {a[i]}");
                continue;
            }

            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"element {i}: expected {e[i]}, got {a[i]}");
        }
    }

    public static void Same<T>(NDArray<T> expected, NDArray<T> actual)
        where T : unmanaged
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(expected.ValueEquals(actual), $"expected {expected}\nactual   {actual}");
    }

    public static void Equivalent<T>(NDArray<T> expected, NDArray<T> actual)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            Close((NDArray<double>)(object)expected, (NDArray<double>)(object)actual);
        }
        else if (typeof(T) == typeof(float))
        {
            Close(expected.AsType<double>(), actual.AsType<double>(), 1e-4);
        }
        else
        {
            Same(expected, actual);
        }
    }
}
