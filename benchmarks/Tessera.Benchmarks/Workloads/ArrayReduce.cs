using Tessera.Arrays;
using Tessera.Benchmarks.Harness;
using static Tessera.Benchmarks.Workloads.ArrayCommon;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Workload 3, the counterpart of shared/bench/dask/array_reduce.py: blocked reductions and matmul
/// of chunked arrays on the threaded scheduler, with the same shapes, chunks and case names, plus
/// the same single-chunk baselines (here TensorPrimitives and OpenBLAS with one thread per product).
/// </summary>
internal sealed class ArrayReduce : IWorkload
{
    public string Name => "array_reduce";

    public string Description => "chunked-array reductions ((x + x.T).mean(0).sum(), sums of random, ones and persisted arrays) and x @ x.T, with memory-bandwidth and gemm baselines";

    public WorkloadReport Run(BenchOptions options)
    {
        bool full = options.IsFull;
        int reps = options.Repeats;
        var report = new WorkloadReport();
        List<CaseResult> results = report.Results;
        Blas.SetNumThreads(1);
        report.Params["openblas"] = Blas.IsNativeAvailable;
        report.Params["threads"] = Environment.ProcessorCount;

        Baselines(options, results, full);

        int n = full ? 20000 : 5000, c = full ? 2000 : 1000;
        DArray<double> x = DArray.Random.RandomSample([n, n], chunks: c, seed: 0);
        const string XxtCase = "random (x + x.T).mean(axis=0).sum()";
        if (options.Wants(XxtCase))
        {
            DArray<double> expr = (x + x.T).Mean(axis: 0).Sum();
            Timings<double> t = Measure.Runs("(x+x.T).mean(0).sum()", reps, _ => expr.Compute().ToScalar(), v => Check.Near(v / n, 1.0, 0.01));
            CaseResult r = Measure.Result(XxtCase, t, P(("shape", Arr(n, n)), ("chunks", Arr(c, c)), ("input_GB", x.NBytes / 1e9)), OptimizedTasks(expr));
            r.PerSecond["GB/s"] = x.NBytes / 1e9;
            results.Add(r);
        }

        const string RandSumCase = "random_sample(...).sum() (RNG + reduce)";
        if (options.Wants(RandSumCase))
        {
            DArray<double> s = x.Sum();
            Timings<double> t = Measure.Runs("random x.sum()", reps, _ => s.Compute().ToScalar(), v => Check.Near(v / ((double)n * n), 0.5, 0.01));
            CaseResult r = Measure.Result(RandSumCase, t, P(("shape", Arr(n, n)), ("chunks", Arr(c, c))), OptimizedTasks(s));
            r.PerSecond["GB/s"] = x.NBytes / 1e9;
            results.Add(r);
        }

        long big = full ? 1_000_000_000 : 100_000_000;
        const int Ch = 10_000_000;
        DArray<double> ones = DArray.Ones<double>([big], chunks: Ch);
        const string OnesCase = "da.ones((N,), chunks=1e7).sum()  [broadcast chunks]";
        if (options.Wants(OnesCase))
        {
            DArray<double> s = ones.Sum();
            Timings<double> t = Measure.Runs("ones.sum()", reps, _ => s.Compute().ToScalar(), v => Check.Equal((double)big, v, "ones sum"));
            CaseResult r = Measure.Result(OnesCase, t, P(("N", big), ("chunk", Ch), ("logical_GB", big * 8 / 1e9)), OptimizedTasks(s));
            r.PerSecond["GB/s"] = big * 8 / 1e9;
            results.Add(r);
        }

        const string MaterialisedCase = "da.ones(...).map_blocks(np.copy).sum()  [materialised chunks]";
        if (options.Wants(MaterialisedCase))
        {
            DArray<double> s = ones.MapBlocks(static b => b.Copy(), name: "copy").Sum();
            Timings<double> t = Measure.Runs("ones materialised .sum()", reps, _ => s.Compute().ToScalar(), v => Check.Equal((double)big, v, "materialised sum"));
            CaseResult r = Measure.Result(MaterialisedCase, t, P(("N", big), ("chunk", Ch)), OptimizedTasks(s));
            r.PerSecond["GB/s"] = big * 8 / 1e9;
            results.Add(r);
        }

        const string PersistedCase = "persisted in-memory array .sum()";
        if (options.Wants(PersistedCase))
        {
            long p = full ? 400_000_000 : 40_000_000;
            DArray<double> persisted = DArray.Ones<double>([p], chunks: Ch).MapBlocks(static b => b.Copy(), name: "copy").Persist();
            DArray<double> s = persisted.Sum();
            Timings<double> t = Measure.Runs("persisted sum", reps, _ => s.Compute().ToScalar(), v => Check.Equal((double)p, v, "persisted sum"));
            CaseResult r = Measure.Result(PersistedCase, t, P(("N", p), ("chunk", Ch), ("GB", p * 8 / 1e9)), OptimizedTasks(s));
            r.PerSecond["GB/s"] = p * 8 / 1e9;

            // The machine's read bandwidth in the same minutes: one thread per core streaming its
            // own 80 MB buffer (huge pages, like the blocks) with the same sum kernel, no scheduler.
            double readGBs = ReadBandwidth(reps);
            double sumGBs = p * 8 / 1e9 / t.Wall.Order().ElementAt(t.Wall.Count / 2);
            r.Extra["machine_read_GB_s"] = Math.Round(readGBs, 2);
            r.Extra["sum_GB_s"] = Math.Round(sumGBs, 2);
            r.Extra["fraction_of_read_bandwidth"] = Math.Round(sumGBs / readGBs, 3);
            Log.Write($"persisted sum: {sumGBs:F1} GB/s against a read bandwidth of {readGBs:F1} GB/s ({Environment.ProcessorCount} threads)");
            results.Add(r);
        }

        const string MatmulCase = "x @ x.T (x persisted), result to numpy";
        if (options.Wants(MatmulCase))
        {
            int mn = full ? 8000 : 2000, mc = full ? 2000 : 500;
            DArray<double> xm = DArray.Random.RandomSample([mn, mn], chunks: mc, seed: 0).Persist();
            DArray<double> mm = DArray.MatMul(xm, xm.T);
            DArray<double> small = DArray.Random.RandomSample([mn / 4, mn / 4], chunks: mc / 4, seed: 0).Persist();
            (Timings<int> t, double rss) = WithRss($"matmul {mn}", reps, _ => mm.Compute().Shape[0], v => Check.Equal(mn, v, "matmul rows"), () => DArray.MatMul(small, small.T).Compute());
            CaseResult r = Measure.Result(MatmulCase, t, P(("n", mn), ("chunks", Arr(mc, mc))), OptimizedTasks(mm));
            r.PerSecond["GFLOP/s"] = 2.0 * mn * mn * mn / 1e9;
            r.Extra["rss_peak_over_baseline_mb"] = rss;
            results.Add(r);
        }

        return report;
    }

    // The best of several passes of one thread per core, each summing its own 80 MB block 10 times.
    private static double ReadBandwidth(int reps)
    {
        const int N = 10_000_000, Inner = 10;
        int threads = Environment.ProcessorCount;
        NDArray<double>[] blocks = [.. Enumerable.Range(0, threads).Select(_ => NDArray<double>.Ones(N))];
        double best = double.MaxValue;
        for (int rep = 0; rep <= Math.Max(reps, 3); rep++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            {
                for (int i = 0; i < Inner; i++)
                {
                    _ = blocks[k].Sum().ToScalar();
                }
            });
            best = rep == 0 ? best : Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return threads * (double)N * 8 * Inner / 1e9 / best;
    }

    private static void Baselines(BenchOptions options, List<CaseResult> results, bool full)
    {
        // NumPy's side sums and fills its own arrays; ours are NDArrays (their buffers come from
        // BlockMemory, with huge pages like NumPy's) through the same kernels the chunked sums use.
        const int N = 10_000_000, Inner = 20;
        int reps = options.Repeats;
        NDArray<double> a = NDArray<double>.Ones(N);
        NDArray<double> b = NDArray<double>.Ones(N);
        const string Sum1 = "numpy: a.sum() on one 80 MB chunk x20, 1 thread";
        if (options.Wants(Sum1))
        {
            Timings<double> t = Measure.Runs("sum 1 thread", reps, _ => Enumerable.Range(0, Inner).Sum(_ => a.Sum().ToScalar()));
            CaseResult r = Measure.Result(Sum1, t, P(("elements", N), ("inner_repeats", Inner)));
            r.PerSecond["GB/s"] = N * 8.0 * Inner / 1e9;
            results.Add(r);
        }

        const string Sum2 = "numpy: a.sum() x20 on each of 2 chunks, 2 threads";
        if (options.Wants(Sum2))
        {
            Timings<int> t = Measure.Runs("sum 2 threads", reps, run =>
            {
                Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
                {
                    NDArray<double> arr = k == 0 ? a : b;
                    for (int i = 0; i < Inner; i++)
                    {
                        _ = arr.Sum().ToScalar();
                    }
                });
                return 0;
            });
            CaseResult r = Measure.Result(Sum2, t, P(("elements", N), ("inner_repeats", Inner), ("threads", 2)));
            r.PerSecond["GB/s"] = 2.0 * N * 8 * Inner / 1e9;
            results.Add(r);
        }

        const string Fill = "numpy: a[:] = 1.0 into an existing 80 MB buffer x20, 1 thread";
        if (options.Wants(Fill))
        {
            Timings<int> t = Measure.Runs("fill", reps, run =>
            {
                for (int i = 0; i < Inner; i++)
                {
                    a.AsSpan().Fill(1.0);
                }

                return 0;
            });
            CaseResult r = Measure.Result(Fill, t, P(("elements", N), ("inner_repeats", Inner)));
            r.PerSecond["GB/s"] = N * 8.0 * Inner / 1e9;
            results.Add(r);
        }

        const string Alloc = "numpy: np.ones(1e7) fresh allocation+fill x5, 1 thread";
        if (options.Wants(Alloc))
        {
            Timings<int> t = Measure.Runs("ones alloc+fill", reps, _ => Enumerable.Range(0, 5).Sum(_ => NDArray<double>.Ones(N).Shape[0] > 0 ? 1 : 0));
            CaseResult r = Measure.Result(Alloc, t, P(("elements", N), ("inner_repeats", 5)));
            r.PerSecond["GB/s"] = N * 8.0 * 5 / 1e9;
            results.Add(r);
        }

        const string Broadcast = "numpy: sum of broadcast_to(1, 1e7) view x20 (what da.ones chunks are)";
        if (options.Wants(Broadcast))
        {
            NDArray<double> view = NDArray<double>.Scalar(1.0).BroadcastTo(N);
            Timings<double> t = Measure.Runs("broadcast sum", reps, _ => Enumerable.Range(0, Inner).Sum(_ => view.Sum().ToScalar()));
            CaseResult r = Measure.Result(Broadcast, t, P(("elements", N), ("inner_repeats", Inner)));
            r.PerSecond["logical GB/s"] = N * 8.0 * Inner / 1e9;
            results.Add(r);
        }

        int m = full ? 2000 : 1000;
        NDArray<double> x = DArray.Random.RandomSample([m, m], chunks: m, seed: 0).Compute();
        NDArray<double> y = DArray.Random.RandomSample([m, m], chunks: m, seed: 1).Compute();
        string mm1 = $"numpy: {m}x{m} @ {m}x{m} (x3), 1 thread, 1 BLAS thread";
        if (options.Wants(mm1))
        {
            Timings<int> t = Measure.Runs($"matmul {m}", reps, _ => Enumerable.Range(0, 3).Sum(_ => NDArray.MatMul(x, y).Shape[0]));
            CaseResult r = Measure.Result(mm1, t, P(("n", m)));
            r.PerSecond["GFLOP/s"] = 3 * 2.0 * m * m * m / 1e9;
            results.Add(r);
        }

        string mm2 = $"numpy: {m}x{m} @ {m}x{m} (x3) in each of 2 threads, 1 BLAS thread each";
        if (options.Wants(mm2))
        {
            Timings<int> t = Measure.Runs($"matmul {m} x 2 threads", reps, run =>
            {
                Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        _ = k == 0 ? NDArray.MatMul(x, y) : NDArray.MatMul(y, x);
                    }
                });
                return 0;
            });
            CaseResult r = Measure.Result(mm2, t, P(("n", m), ("threads", 2)));
            r.PerSecond["GFLOP/s"] = 2 * 3 * 2.0 * m * m * m / 1e9;
            results.Add(r);
        }
    }
}
