using Tessera.Arrays.Kernels;
using Tessera.Graphs;

namespace Tessera.Arrays;

/// <summary>Block functions of the creation routines and the random generators.</summary>
internal static class CreationFunctions<T>
    where T : unmanaged
{
    public static readonly TaskFunction Arange = TaskFunction.Create<double, double, long, int, NDArray<T>>(ArangeBlock, "arange");
    public static readonly TaskFunction Linspace = TaskFunction.Create<double, double, long, int, NDArray<T>>(ArangeBlock, "linspace");
    public static readonly TaskFunction Eye = TaskFunction.Create<long, long, int, int, long, NDArray<T>>(EyeBlock, "eye");
    public static readonly TaskFunction FromFunction = TaskFunction.Create<Func<long[], T>, long[], int[], NDArray<T>>(FromFunctionBlock, "fromfunction");
    public static readonly TaskFunction FromSource = TaskFunction.Create<IArraySource<T>, long[], int[], NDArray<T>>(FromSourceBlock, "from-array");

    private static NDArray<T> ArangeBlock(double start, double step, long offset, int count)
    {
        var data = BlockMemory.Allocate<T>(count);
        ElementOps<T> ops = ElementOps<T>.Instance;
        for (int i = 0; i < count; i++)
        {
            data[i] = ops.FromDouble(start + ((offset + i) * step));
        }

        return new NDArray<T>(data, [count]);
    }

    private static NDArray<T> EyeBlock(long row0, long col0, int rows, int cols, long k)
    {
        var data = BlockMemory.AllocateZeroed<T>((long)rows * cols);
        T one = ElementOps<T>.Instance.One;
        for (int i = 0; i < rows; i++)
        {
            long j = row0 + i + k - col0;
            if (j >= 0 && j < cols)
            {
                data[(i * cols) + j] = one;
            }
        }

        return new NDArray<T>(data, [rows, cols]);
    }

    private static NDArray<T> FromFunctionBlock(Func<long[], T> function, long[] offsets, int[] shape)
    {
        var data = BlockMemory.Allocate<T>(Shapes.Product(shape));
        var index = (long[])offsets.Clone();
        for (int p = 0; p < data.Length; p++)
        {
            data[p] = function((long[])index.Clone());
            for (int a = shape.Length - 1; a >= 0; a--)
            {
                if (++index[a] < offsets[a] + shape[a])
                {
                    break;
                }

                index[a] = offsets[a];
            }
        }

        return new NDArray<T>(data, (int[])shape.Clone());
    }

    private static NDArray<T> FromSourceBlock(IArraySource<T> source, long[] start, int[] shape)
    {
        NDArray<T> block = source.Read(start, shape);
        if (!block.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException(
                $"from_array: {source.Token} returned a block of shape {Shapes.Format(block.Shape.AsSpan())} for the block at {Shapes.Format(start)} of shape {Shapes.Format(shape)}.");
        }

        return block;
    }
}

/// <summary>Per-block random streams: xoshiro256** seeded by SplitMix64 from (seed, block number).</summary>
internal static class RandomFunctions
{
    public static readonly TaskFunction Uniform = TaskFunction.Create<ulong, long, int[], double, double, NDArray<double>>(UniformBlock, "uniform");
    public static readonly TaskFunction Normal = TaskFunction.Create<ulong, long, int[], double, double, NDArray<double>>(NormalBlock, "normal");
    public static readonly TaskFunction Integers = TaskFunction.Create<ulong, long, int[], long, long, NDArray<long>>(IntegersBlock, "integers");

    private struct Xoshiro
    {
        private ulong _s0, _s1, _s2, _s3;

        public Xoshiro(ulong seed, long block)
        {
            ulong x = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(block + 1));
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
        }

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public ulong Next()
        {
            ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = ulong.RotateLeft(_s3, 45);
            return result;
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Fills with doubles in [0, 1): the same stream as repeated <see cref="NextDouble"/>, with the state in registers.</summary>
        public void FillUnit(Span<double> data)
        {
            ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
            const double Scale = 1.0 / (1UL << 53);
            for (int i = 0; i < data.Length; i++)
            {
                ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
                ulong t = s1 << 17;
                s2 ^= s0;
                s3 ^= s1;
                s1 ^= s2;
                s0 ^= s3;
                s2 ^= t;
                s3 = ulong.RotateLeft(s3, 45);
                data[i] = (result >> 11) * Scale;
            }

            (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
        }
    }

    private static NDArray<double> UniformBlock(ulong seed, long block, int[] shape, double low, double high)
    {
        var data = BlockMemory.Allocate<double>(Shapes.Product(shape));
        var rng = new Xoshiro(seed, block);
        rng.FillUnit(data);
        double width = high - low;
        if (low != 0 || width != 1)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply<double>(data, width, data);
            System.Numerics.Tensors.TensorPrimitives.Add<double>(data, low, data);
        }

        return new NDArray<double>(data, shape);
    }

    private static NDArray<double> NormalBlock(ulong seed, long block, int[] shape, double loc, double scale)
    {
        var data = BlockMemory.Allocate<double>(Shapes.Product(shape));
        var rng = new Xoshiro(seed, block);
        for (int i = 0; i < data.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
            data[i] = loc + (scale * r * cos);
            if (i + 1 < data.Length)
            {
                data[i + 1] = loc + (scale * r * sin);
            }
        }

        return new NDArray<double>(data, shape);
    }

    private static NDArray<long> IntegersBlock(ulong seed, long block, int[] shape, long low, long high)
    {
        var data = BlockMemory.Allocate<long>(Shapes.Product(shape));
        var rng = new Xoshiro(seed, block);
        ulong range = (ulong)(high - low);
        for (int i = 0; i < data.Length; i++)
        {
            // Lemire's nearly divisionless bounded integers.
            ulong x = rng.Next();
            UInt128 m = (UInt128)x * range;
            ulong l = (ulong)m;
            if (l < range)
            {
                ulong t = (0 - range) % range;
                while (l < t)
                {
                    x = rng.Next();
                    m = (UInt128)x * range;
                    l = (ulong)m;
                }
            }

            data[i] = low + (long)(ulong)(m >> 64);
        }

        return new NDArray<long>(data, shape);
    }
}
