using Tessera.Arrays;
using Tessera.Benchmarks.Harness;
using static Tessera.Benchmarks.Workloads.ArrayCommon;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Workload 4, the counterpart of shared/bench/dask/array_rechunk.py: a random (N, N) array in
/// column slabs (N, w) rechunked to row slabs (w, N) and summed, with peak RSS over the baseline.
/// </summary>
internal sealed class ArrayRechunk : IWorkload
{
    public string Name => "array_rechunk";

    public string Description => "rechunk (N, w) column slabs to (w, N) row slabs, then sum; time and peak RSS";

    public WorkloadReport Run(BenchOptions options)
    {
        bool full = options.IsFull;
        int reps = options.Repeats;
        int n = full ? 20000 : 5000, w = full ? 200 : 50;
        var report = new WorkloadReport();
        List<CaseResult> results = report.Results;
        DArray<double> x = DArray.Random.RandomSample([n, n], chunks: new[] { n, w }, seed: 0);
        double gb = x.NBytes / 1e9;
        System.Text.Json.Nodes.JsonObject Pr() => P(("shape", Arr(n, n)), ("from_chunks", Arr(n, w)), ("to_chunks", Arr(w, n)), ("GB", gb));
        report.Params["shape"] = Arr(n, n);
        report.Params["from_chunks"] = Arr(n, w);
        report.Params["to_chunks"] = Arr(w, n);
        report.Params["GB"] = gb;

        const string SourceCase = "random (N,N) chunks (N,w): x.sum()";
        const string RechunkCase = "x.rechunk((w,N)).sum()";
        const string PersistedCase = "persisted x: x.rechunk((w,N)).sum()";
        foreach (string name in new[] { SourceCase, RechunkCase, PersistedCase, RechunkKeptCase })
        {
            if (!options.Wants(name))
            {
                continue;
            }

            // Each case in its own process, so that its peak RSS is its own.
            results.Add(ChildProcess.IsChild ? RunCase(name, n, w, reps, Pr()) : ChildProcess.RunCase(Name, name, options, MemoryCaseGcSettings));
        }

        if (results.Count >= 2 && results[0].Name == SourceCase && results[1].Name == RechunkCase)
        {
            results[1].Extra["rechunk_only_estimate_s"] = Math.Round(results[1].Median - results[0].Median, 4);
        }

        return report;
    }

    // Tessera only: the rechunk itself, with the sum no longer pushed through it.
    private const string RechunkKeptCase = "tessera: x.rechunk((w,N)).sum() with array.reduce-through-rechunk off";

    private static CaseResult RunCase(string name, int n, int w, int reps, System.Text.Json.Nodes.JsonObject parameters)
    {
        DArray<double> Expr(int size, int width)
        {
            DArray<double> x = DArray.Random.RandomSample([size, size], chunks: new[] { size, width }, seed: 0);
            return name switch
            {
                "random (N,N) chunks (N,w): x.sum()" => x.Sum(),
                "x.rechunk((w,N)).sum()" => x.Rechunk(new[] { width, size }).Sum(),
                RechunkKeptCase => KeepingTheRechunk(() => x.Rechunk(new[] { width, size }).Sum()),
                _ => x.Persist().Rechunk(new[] { width, size }).Sum(),
            };
        }

        static DArray<double> KeepingTheRechunk(Func<DArray<double>> build)
        {
            using (TesseraConfig.Set(("array.reduce-through-rechunk", false)))
            {
                return build();
            }
        }

        DArray<double> expr = Expr(n, w);
        double expected = DArray.Random.RandomSample([n, n], chunks: new[] { n, w }, seed: 0).Sum().Compute().ToScalar();
        (Timings<double> t, double rss) = WithRss(name, reps, _ => expr.Compute().ToScalar(), v => Check.Near(v, expected, Math.Abs(expected) * 1e-9), () => Expr(n / 10, w / 10).Compute());
        CaseResult r = Measure.Result(name, t, parameters, OptimizedTasks(expr));
        r.PerSecond["GB/s"] = (double)n * n * 8 / 1e9;
        r.Extra["rss_peak_over_baseline_mb"] = rss;
        return r;
    }
}
