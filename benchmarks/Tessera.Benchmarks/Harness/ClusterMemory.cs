using Microsoft.Win32.SafeHandles;
using Tessera.Distributed;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// The peak resident memory of a whole local cluster during one run: a dedicated thread sums the RSS of
/// this process (the client and the scheduler) and of each worker process, read from
/// <c>/proc/PID/statm</c> every 10 ms, and keeps the largest sum. No single process's high-water mark
/// tells this: the workers' peaks need not come at the same time.
/// </summary>
internal sealed class ClusterMemory
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(10);
    private static readonly Dictionary<int, string> s_paths = [];
    private readonly LocalCluster _cluster;
    private readonly Func<string>? _probe;
    private readonly Thread _thread;
    private volatile bool _stopped;
    private long _peak;

    private ClusterMemory(LocalCluster cluster, Func<string>? probe)
    {
        _cluster = cluster;
        _probe = probe;
        Baseline = SummedBytes();
        _peak = Baseline;
        _thread = new Thread(Sample) { IsBackground = true, Name = "cluster RSS sampler" };
    }

    /// <summary>Gets the summed RSS when sampling started.</summary>
    public long Baseline { get; }

    /// <summary>Starts sampling the cluster's summed RSS.</summary>
    /// <param name="cluster">A cluster with worker processes.</param>
    /// <param name="probe">Extra text for each trace line (TESSERA_BENCH_TRACE=1), e.g. the workers' GC figures; null for none.</param>
    /// <returns>The running sampler.</returns>
    public static ClusterMemory Start(LocalCluster cluster, Func<string>? probe = null)
    {
        var sampler = new ClusterMemory(cluster, probe);
        sampler._thread.Start();
        return sampler;
    }

    /// <summary>Stops sampling, taking one last sample.</summary>
    /// <returns>The largest summed RSS seen, in bytes.</returns>
    public long Stop()
    {
        _stopped = true;
        _thread.Join();
        return Math.Max(_peak, SummedBytes());
    }

    private void Sample()
    {
        bool trace = Environment.GetEnvironmentVariable("TESSERA_BENCH_TRACE") == "1";
        int n = 0;
        while (!_stopped)
        {
            _peak = Math.Max(_peak, SummedBytes());
            if (trace && n++ % 20 == 0)
            {
                string procs = string.Join(' ', _cluster.WorkerProcessIds.Select(p => ResidentBytes(p) >> 20));
                string state = _cluster.Scheduler.Server.Query(s => string.Join(' ', s.Tasks.Values.GroupBy(t => t.State).Select(g => $"{g.Key}={g.Count()}")) + " | " +
                    string.Join(' ', s.Workers.Values.Select(Describe)));
                Log.Write($"    rss self {ResidentBytes(Environment.ProcessId) >> 20} workers {procs} MB; {state} {_probe?.Invoke()}");
            }

            Thread.Sleep(s_interval);
        }
    }

    // A worker as the scheduler sees it: round trip, bytes and keys held, and the tasks sent to it by prefix.
    private static string Describe(Tessera.Distributed.Scheduler.WorkerState w) =>
        $"rt {w.RoundTrip * 1000:F1}ms {w.NBytes >> 20}MB/{w.HasWhat.Count}k/{w.Processing.Count}p " +
        $"[{string.Join(',', w.Processing.GroupBy(t => t.Prefix).Select(g => $"{g.Key}:{g.Count()}"))}]";

    private long SummedBytes()
    {
        long sum = ResidentBytes(Environment.ProcessId);
        foreach (int pid in _cluster.WorkerProcessIds)
        {
            sum += ResidentBytes(pid);
        }

        return sum;
    }

    // statm's second field is the resident set in pages; a process that just exited counts 0. Read into a
    // stack buffer: the sampler runs in the measured process, and File.ReadAllText's buffers and strings
    // (about 3 MB/s at 300 reads a second) filled the process's first generation, which counted as the
    // cluster's memory (about 7 MB of stream_sum's peak).
    private static long ResidentBytes(int pid)
    {
        Span<byte> text = stackalloc byte[128];
        int length;
        try
        {
            using SafeFileHandle file = File.OpenHandle(StatmPath(pid));
            length = RandomAccess.Read(file, text, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        int i = text[..length].IndexOf((byte)' ') + 1;
        long pages = 0;
        for (; i > 0 && i < length && char.IsAsciiDigit((char)text[i]); i++)
        {
            pages = (pages * 10) + (text[i] - '0');
        }

        return pages * Environment.SystemPageSize;
    }

    private static string StatmPath(int pid)
    {
        lock (s_paths)
        {
            if (!s_paths.TryGetValue(pid, out string? path))
            {
                s_paths[pid] = path = $"/proc/{pid}/statm";
            }

            return path;
        }
    }
}
