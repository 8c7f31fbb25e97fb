using System.Diagnostics;
using System.Xml.Linq;
using Tessera.Graphs;

namespace Tessera.Diagnostics.Tests;

public sealed class ResourceProfilerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-resources-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly TaskFunction s_spin = TaskFunction.Create((long ms) => Spin(ms), "spin");

    // Busy for about `ms` milliseconds of CPU, allocating as it goes.
    private static long Spin(long ms)
    {
        var watch = Stopwatch.StartNew();
        long n = 0;
        var keep = new List<byte[]>();
        while (watch.ElapsedMilliseconds < ms)
        {
            n++;
            if (n % 100_000 == 0)
            {
                keep.Add(new byte[1024]);
            }
        }

        return n + keep.Count;
    }

    private static (TaskGraph Graph, Key[] Keys) Spins(int count, long ms)
    {
        var graph = new TaskGraph();
        Key[] keys = [.. Enumerable.Range(0, count).Select(i => new Key("spin", i))];
        foreach (Key k in keys)
        {
            graph[k] = Node.Call(s_spin, Node.Literal(ms));
        }

        return (graph, keys);
    }

    [Fact]
    public void Samples_CoverTheComputation_WithMeasuredCpuAndMemory()
    {
        (TaskGraph graph, Key[] keys) = Spins(4, 150);
        var resources = new ResourceProfiler(TimeSpan.FromMilliseconds(20));
        using Process process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        using (resources.Activate())
        {
            TestGraphs.Scheduler("threads").Get(graph, keys);
        }

        wall.Stop();
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        IReadOnlyList<ResourceSample> samples = resources.Results;

        // One at the start, one per interval (a loaded machine may skip some), one at the end.
        Assert.InRange(samples.Count, 3, (int)(wall.ElapsedMilliseconds / 20) + 3);
        Assert.Equal(0, samples[0].CpuPercent);
        Assert.Equal(samples.Select(s => s.Time).Order(), samples.Select(s => s.Time));
        Assert.InRange(samples[^1].Time.TotalMilliseconds, 150, wall.ElapsedMilliseconds + 1);
        Assert.All(samples, s => Assert.True(s.WorkingSetBytes > s.GcHeapBytes / 2 && s.GcHeapBytes > 0, s.ToString()));

        // The CPU percentages, integrated over the samples' times, give the process's CPU time between the
        // first and the last sample: within what the process used around the whole computation.
        double integrated = samples.Skip(1).Select((s, i) => s.CpuPercent / 100 * (s.Time - samples[i].Time).TotalSeconds).Sum();
        Assert.InRange(integrated, (0.8 * cpuSeconds) - 0.03, cpuSeconds + 0.01);
        Assert.True(integrated > 0);

        // No sampling after the computation.
        Thread.Sleep(60);
        Assert.Equal(samples.Count, resources.Results.Count);
        resources.Clear();
        Assert.Empty(resources.Results);
    }

    [Fact]
    public void Constructor_RejectsAnIntervalUnderOneMillisecond()
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new ResourceProfiler(TimeSpan.Zero));
        Assert.Equal("interval", e.ParamName);
    }

    [Fact]
    public void ProfileReport_DrawsTasksCpuAndMemory_OnOneTimeAxis()
    {
        (TaskGraph graph, Key[] keys) = Spins(3, 60);
        var profiler = new Profiler();
        var resources = new ResourceProfiler(TimeSpan.FromMilliseconds(10));
        using (profiler.Activate())
        using (resources.Activate())
        {
            TestGraphs.Scheduler("threads").Get(graph, keys);
        }

        string path = Path.Combine(_folder, "profile.html");
        ProfileReport.WriteHtml(path, profiler, resources, "spin & wait");
        string html = File.ReadAllText(path);
        Assert.Contains("<title>spin &amp; wait</title>", html, StringComparison.Ordinal);

        // Each SVG is well-formed XML: three tasks, a CPU line and two memory lines with a point per sample.
        string[] svgs = [.. html.Split("<svg ").Skip(1).Select(s => "<svg " + s[..(s.IndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length)])];
        Assert.Equal(3, svgs.Length);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(3, XDocument.Parse(svgs[0]).Descendants(ns + "rect").Count(r => (string?)r.Attribute("class") == "task"));
        int count = resources.Results.Count;
        foreach ((int svg, string line) in new[] { (1, "cpu"), (2, "working-set"), (2, "gc-heap") })
        {
            XElement polyline = Assert.Single(XDocument.Parse(svgs[svg]).Descendants(ns + "polyline"), p => (string?)p.Attribute("class") == line);
            Assert.Equal(count, polyline.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        // Without a resource profiler, only the timeline.
        Assert.Single(ProfileReport.ToHtml(profiler, null).Split("<svg ").Skip(1));
    }
}
