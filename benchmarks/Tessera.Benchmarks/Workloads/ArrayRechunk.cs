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

        DArray<double> s0 = x.Sum();
        (Timings<double> tSrc, double rssSrc) = WithRss("source sum", reps, _ => s0.Compute().ToScalar());
        double v0 = tSrc.Last;
        CaseResult r0 = Measure.Result("random (N,N) chunks (N,w): x.sum()", tSrc, Pr(), OptimizedTasks(s0));
        r0.PerSecond["GB/s"] = gb;
        r0.Extra["rss_peak_over_baseline_mb"] = rssSrc;
        results.Add(r0);

        DArray<double> s1 = x.Rechunk(new[] { w, n }).Sum();
        (Timings<double> tRe, double rssRe) = WithRss("rechunk sum", reps, _ => s1.Compute().ToScalar(), v => Check.Near(v, v0, Math.Abs(v0) * 1e-9));
        CaseResult r1 = Measure.Result("x.rechunk((w,N)).sum()", tRe, Pr(), OptimizedTasks(s1));
        r1.PerSecond["GB/s"] = gb;
        r1.Extra["rss_peak_over_baseline_mb"] = rssRe;
        r1.Extra["rechunk_only_estimate_s"] = Math.Round(r1.Median - r0.Median, 4);
        results.Add(r1);

        DArray<double> xp = x.Persist();
        DArray<double> s2 = xp.Rechunk(new[] { w, n }).Sum();
        (Timings<double> tP, double rssP) = WithRss("persisted rechunk sum", reps, _ => s2.Compute().ToScalar(), v => Check.Near(v, v0, Math.Abs(v0) * 1e-9));
        CaseResult r2 = Measure.Result("persisted x: x.rechunk((w,N)).sum()", tP, Pr(), OptimizedTasks(s2));
        r2.PerSecond["GB/s"] = gb;
        r2.Extra["rss_peak_over_baseline_mb"] = rssP;
        results.Add(r2);
        return report;
    }
}
