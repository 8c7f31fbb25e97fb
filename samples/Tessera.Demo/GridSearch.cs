namespace Tessera.Demo;

/// <summary>The settings of the grid search.</summary>
internal sealed record GridSettings(int Rows, int Seed, int Folds, IReadOnlyList<int> Degrees, IReadOnlyList<double> Lambdas)
{
    /// <summary>Gets the share of rows held out for the final test.</summary>
    public double TestShare { get; init; } = 0.2;
}

/// <summary>
/// Builds the lazy grid search: k-fold cross-validation of polynomial ridge regressions over a grid
/// of degrees and regularization strengths, then a refit of the best one on all training rows and
/// its error on held-out test rows. Nothing runs until the result is computed.
/// </summary>
internal static class GridSearch
{
    public static Delayed<Report> Build(GridSettings s)
    {
        var makeDataset = Delayed.Of<int, int, Block>(Ridge.MakeDataset, name: "make-dataset");
        var slice = Delayed.Of<Block, int, int, Block>(Ridge.Slice, name: "split");
        var expand = Delayed.Of<Block, int, Design>(Ridge.Expand, name: "features");
        var gram = Delayed.Of<Design, Normal>(Ridge.Gram, name: "gram");
        var sum = Delayed.Of<IReadOnlyList<Normal>, Normal>(Ridge.Sum, name: "sum-normal");
        var fit = Delayed.Of<Normal, double, Weights>(Ridge.Fit, name: "fit");
        var score = Delayed.Of<Weights, Design, double>(Ridge.MeanSquaredError, name: "score");
        var crossValidate = Delayed.Of<int, double, IReadOnlyList<double>, Model>(CrossValidated, name: "cv-mean");
        var best = Delayed.Of<IReadOnlyList<Model>, Model>(Best, name: "best");
        var refit = Delayed.Of<Model, IReadOnlyList<Normal>, Weights>(Refit, name: "refit");
        var test = Delayed.Of<Weights, Model, IReadOnlyList<Design>, Report>(Test, name: "test");

        Delayed<Block> data = makeDataset(s.Rows, s.Seed);
        int testRows = (int)(s.Rows * s.TestShare);
        int foldRows = (s.Rows - testRows) / s.Folds;
        int trainRows = foldRows * s.Folds;
        var folds = Enumerable.Range(0, s.Folds).Select(k => slice(data, k * foldRows, foldRows)).ToList();
        Delayed<Block> testBlock = slice(data, trainRows, testRows);

        var models = new List<Delayed<Model>>();
        var totals = new List<Delayed<Normal>>();
        var testDesigns = new List<Delayed<Design>>();
        foreach (int degree in s.Degrees)
        {
            // One design and one set of normal equations per fold; each training set sums the others.
            var designs = folds.Select(f => expand(f, degree)).ToList();
            var normals = designs.Select(d => gram(d)).ToList();
            var training = Enumerable.Range(0, s.Folds)
                .Select(k => sum(Delayed.List(normals.Where((_, j) => j != k))))
                .ToList();
            totals.Add(sum(Delayed.List(normals)));
            testDesigns.Add(expand(testBlock, degree));

            foreach (double lambda in s.Lambdas)
            {
                var scores = Enumerable.Range(0, s.Folds).Select(k => score(fit(training[k], lambda), designs[k]));
                models.Add(crossValidate(degree, lambda, Delayed.List(scores)));
            }
        }

        Delayed<Model> chosen = best(Delayed.List(models));
        return test(refit(chosen, Delayed.List(totals)), chosen, Delayed.List(testDesigns));
    }

    private static Model CrossValidated(int degree, double lambda, IReadOnlyList<double> scores) =>
        new(degree, lambda, Ridge.FeaturesOf(degree), scores.Average());

    /// <summary>The model with the lowest validation error; ties go to the simpler, more regularized one.</summary>
    private static Model Best(IReadOnlyList<Model> models) =>
        models.OrderBy(m => m.ValidationMse).ThenBy(m => m.Degree).ThenByDescending(m => m.Lambda).First();

    private static Weights Refit(Model best, IReadOnlyList<Normal> totals) =>
        Ridge.Fit(totals.Single(n => n.Degree == best.Degree), best.Lambda);

    private static Report Test(Weights weights, Model best, IReadOnlyList<Design> designs)
    {
        Design d = designs.Single(x => x.Degree == best.Degree);
        return new Report(best, Ridge.MeanSquaredError(weights, d), d.Rows);
    }
}
