using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

/// <summary>Per-block random streams: xoshiro256** seeded by SplitMix64 from (seed, block number); uniform doubles from eight interleaved streams.</summary>
internal static class RandomFunctions
{
    public static readonly TaskFunction Uniform = TaskFunction.Create<ulong, long, int[], double, double, NDArray<double>>(UniformBlock, "uniform").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction Normal = TaskFunction.Create<ulong, long, int[], double, double, NDArray<double>>(NormalBlock, "normal").Declare(ArgumentUse.Released, returnsFreshMemory: true);
    public static readonly TaskFunction Integers = TaskFunction.Create<ulong, long, int[], long, long, NDArray<long>>(IntegersBlock, "integers").Declare(ArgumentUse.Released, returnsFreshMemory: true);

    private struct Xoshiro
    {
        private ulong _s0, _s1, _s2, _s3;

        public Xoshiro(ulong seed, long block)
        {
            ulong x = BlockState(seed, block);
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
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
    }

    /// <summary>Four xoshiro256** streams side by side, one per lane.</summary>
    private struct Lanes
    {
        private Vector256<ulong> _s0, _s1, _s2, _s3;

        public Lanes(ref ulong x)
        {
            Span<ulong> words = stackalloc ulong[16];
            for (int i = 0; i < words.Length; i++)
            {
                words[i] = SplitMix(ref x);
            }

            // Lane k's state is words[4k .. 4k + 3].
            _s0 = Vector256.Create(words[0], words[4], words[8], words[12]);
            _s1 = Vector256.Create(words[1], words[5], words[9], words[13]);
            _s2 = Vector256.Create(words[2], words[6], words[10], words[14]);
            _s3 = Vector256.Create(words[3], words[7], words[11], words[15]);
        }

        /// <summary>The next doubles in [0, 1), one per lane (53 random bits each).</summary>
        public Vector256<double> NextUnit()
        {
            // xoshiro256**: rotl(s1 * 5, 7) * 9, the multiplications as shifts and adds.
            Vector256<ulong> times5 = (_s1 << 2) + _s1;
            Vector256<ulong> rotated = (times5 << 7) | (times5 >>> 57);
            Vector256<ulong> result = (rotated << 3) + rotated;
            Vector256<ulong> t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = (_s3 << 45) | (_s3 >>> 19);
            return Vector256.ConvertToDouble((result >>> 11).AsInt64()) * (1.0 / (1UL << 53));
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong BlockState(ulong seed, long block) => seed ^ (0x9E3779B97F4A7C15UL * (ulong)(block + 1));

    /// <summary>
    /// Fills with doubles in [0, 1) from eight xoshiro256** streams seeded by SplitMix64 from (seed,
    /// block): element i comes from stream i % 8. Two vectors of four lanes are stepped together
    /// (independent dependency chains); the values are the same with or without SIMD hardware.
    /// </summary>
    private static void FillUnit(ulong seed, long block, Span<double> data)
    {
        ulong x = BlockState(seed, block);
        var a = new Lanes(ref x);
        var b = new Lanes(ref x);
        ref double start = ref MemoryMarshal.GetReference(data);
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            a.NextUnit().StoreUnsafe(ref start, (nuint)i);
            b.NextUnit().StoreUnsafe(ref start, (nuint)(i + 4));
        }

        Span<double> tail = stackalloc double[8];
        a.NextUnit().CopyTo(tail);
        b.NextUnit().CopyTo(tail[4..]);
        tail[..(data.Length - i)].CopyTo(data[i..]);
    }

    private static NDArray<double> UniformBlock(ulong seed, long block, int[] shape, double low, double high)
    {
        var data = BlockMemory.Allocate<double>(Shapes.Product(shape));
        FillUnit(seed, block, data);
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
