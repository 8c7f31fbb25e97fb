using System.Numerics;

namespace Tessera.Demo;

/// <summary>Rows of features and targets, row-major.</summary>
internal sealed record Block(int Rows, int Columns, double[] X, double[] Y);

/// <summary>A block expanded into polynomial features: column 0 is the intercept.</summary>
internal sealed record Design(int Degree, int Rows, int Features, double[] Z, double[] Y);

/// <summary>The normal equations of some rows: ZᵀZ (upper triangle filled) and Zᵀy.</summary>
internal sealed record Normal(int Degree, int Features, int Rows, double[] Gram, double[] Moment);

/// <summary>The weights of one ridge regression.</summary>
internal sealed record Weights(int Degree, double Lambda, double[] W);

/// <summary>A grid point and its cross-validated error.</summary>
internal sealed record Model(int Degree, double Lambda, int Features, double ValidationMse);

/// <summary>What the grid search found.</summary>
internal sealed record Report(Model Best, double TestMse, int TestRows);

/// <summary>The numerical kernels of the demo: data, features, normal equations, Cholesky.</summary>
internal static class Ridge
{
    public const int FeatureCount = 8;
    public const double NoiseSigma = 0.5;

    /// <summary>A deterministic synthetic regression problem with interactions up to the third degree.</summary>
    public static Block MakeDataset(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new double[rows * FeatureCount];
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<double> v = x.AsSpan(r * FeatureCount, FeatureCount);
            for (int j = 0; j < FeatureCount; j++)
            {
                v[j] = Gaussian(random);
            }

            y[r] = 3.0 + (1.5 * v[0]) - (2.0 * v[1]) + (0.8 * v[2] * v[2]) - (0.6 * v[0] * v[3])
                + (0.25 * v[4] * v[4] * v[4]) + (0.5 * v[5] * v[6]) - (0.3 * v[7] * v[7] * v[1])
                + (NoiseSigma * Gaussian(random));
        }

        return new Block(rows, FeatureCount, x, y);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a block.</summary>
    public static Block Slice(Block data, int start, int count) => new(
        count,
        data.Columns,
        data.X.AsSpan(start * data.Columns, count * data.Columns).ToArray(),
        data.Y.AsSpan(start, count).ToArray());

    /// <summary>Every monomial of degree at most <paramref name="degree"/>, intercept first.</summary>
    public static Design Expand(Block block, int degree)
    {
        (int[] parent, int[] variable) = Monomials(block.Columns, degree);
        int p = parent.Length;
        var z = new double[block.Rows * p];
        for (int r = 0; r < block.Rows; r++)
        {
            ReadOnlySpan<double> x = block.X.AsSpan(r * block.Columns, block.Columns);
            Span<double> row = z.AsSpan(r * p, p);
            row[0] = 1;
            for (int m = 1; m < p; m++)
            {
                row[m] = row[parent[m]] * x[variable[m]];
            }
        }

        return new Design(degree, block.Rows, p, z, block.Y);
    }

    /// <summary>ZᵀZ and Zᵀy of a design, accumulated row by row.</summary>
    public static Normal Gram(Design d)
    {
        int p = d.Features;
        var gram = new double[p * p];
        var moment = new double[p];
        for (int r = 0; r < d.Rows; r++)
        {
            ReadOnlySpan<double> z = d.Z.AsSpan(r * p, p);
            for (int i = 0; i < p; i++)
            {
                // Upper triangle only: row i from column i on.
                MultiplyAdd(z[i], z[i..], gram.AsSpan((i * p) + i, p - i));
            }

            MultiplyAdd(d.Y[r], z, moment);
        }

        return new Normal(d.Degree, p, d.Rows, gram, moment);
    }

    /// <summary>The normal equations of the union of disjoint row sets.</summary>
    public static Normal Sum(IReadOnlyList<Normal> parts)
    {
        Normal first = parts[0];
        var gram = (double[])first.Gram.Clone();
        var moment = (double[])first.Moment.Clone();
        int rows = first.Rows;
        for (int k = 1; k < parts.Count; k++)
        {
            MultiplyAdd(1, parts[k].Gram, gram);
            MultiplyAdd(1, parts[k].Moment, moment);
            rows += parts[k].Rows;
        }

        return first with { Gram = gram, Moment = moment, Rows = rows };
    }

    /// <summary>Solves (ZᵀZ + λI) w = Zᵀy by Cholesky; the intercept is not penalized.</summary>
    public static Weights Fit(Normal n, double lambda)
    {
        int p = n.Features;
        var a = (double[])n.Gram.Clone();
        for (int i = 1; i < p; i++)
        {
            a[(i * p) + i] += lambda * n.Rows;
        }

        // Upper-triangular factor U with UᵀU = A, computed in place (row i of U in row i of a).
        for (int i = 0; i < p; i++)
        {
            Span<double> rowI = a.AsSpan(i * p, p);
            for (int k = 0; k < i; k++)
            {
                double u = a[(k * p) + i];
                MultiplyAdd(-u, a.AsSpan((k * p) + i, p - i), rowI[i..]);
            }

            double pivot = rowI[i];
            if (pivot <= 0 || !double.IsFinite(pivot))
            {
                throw new InvalidOperationException($"The normal equations of degree {n.Degree} with lambda {lambda} are not positive definite (pivot {pivot} at {i}); use a larger lambda.");
            }

            double inverse = 1 / Math.Sqrt(pivot);
            for (int j = i; j < p; j++)
            {
                rowI[j] *= inverse;
            }
        }

        // Uᵀv = b, then U w = v.
        var w = (double[])n.Moment.Clone();
        for (int i = 0; i < p; i++)
        {
            double s = w[i];
            for (int k = 0; k < i; k++)
            {
                s -= a[(k * p) + i] * w[k];
            }

            w[i] = s / a[(i * p) + i];
        }

        for (int i = p - 1; i >= 0; i--)
        {
            double s = w[i];
            for (int j = i + 1; j < p; j++)
            {
                s -= a[(i * p) + j] * w[j];
            }

            w[i] = s / a[(i * p) + i];
        }

        return new Weights(n.Degree, lambda, w);
    }

    /// <summary>The mean squared error of a fit on a design.</summary>
    public static double MeanSquaredError(Weights w, Design d)
    {
        double sum = 0;
        for (int r = 0; r < d.Rows; r++)
        {
            double e = Dot(d.Z.AsSpan(r * d.Features, d.Features), w.W) - d.Y[r];
            sum += e * e;
        }

        return sum / d.Rows;
    }

    /// <summary>The number of features of a degree: the monomials of degree at most it, intercept included.</summary>
    public static int FeaturesOf(int degree) => Monomials(FeatureCount, degree).Parent.Length;

    private static (int[] Parent, int[] Variable) Monomials(int variables, int degree)
    {
        // Monomial m = monomial parent[m] times x[variable[m]], with variables non-decreasing.
        var parent = new List<int> { 0 };
        var variable = new List<int> { 0 };
        var last = new List<int> { 0 };
        int levelStart = 0, levelEnd = 1;
        for (int d = 1; d <= degree; d++)
        {
            for (int m = levelStart; m < levelEnd; m++)
            {
                for (int v = d == 1 ? 0 : last[m]; v < variables; v++)
                {
                    parent.Add(m);
                    variable.Add(v);
                    last.Add(v);
                }
            }

            levelStart = levelEnd;
            levelEnd = parent.Count;
        }

        return ([.. parent], [.. variable]);
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static void MultiplyAdd(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var va = new Vector<double>(a);
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(y[i..]) + (va * new Vector<double>(x[i..]))).CopyTo(y[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }
}
