using System.Collections.Concurrent;
using System.Globalization;
using System.Xml.Linq;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Diagnostics.Tests;

public sealed class ProfilerTests : IDisposable
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-profiler-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static long Inc(long x) => x + 1;

    private static long Double(long x) => 2 * x;

    private static long Total(IReadOnlyList<long> xs) => xs.Sum();

    private static int Workers(string scheduler) => scheduler == "sync" ? 1 : 2;

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void Results_OneRecordPerTask_WithOrderedTimesAndWorkersInRange(string scheduler)
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(300);
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            TestGraphs.Scheduler(scheduler).Get(g, [root]);
        }

        IReadOnlyList<TaskRecord> records = profiler.Results;
        Assert.Equal(g.Keys.Order(), records.Select(r => r.Key).Order());
        Assert.All(records, r =>
        {
            Assert.True(r.Start >= TimeSpan.Zero);
            Assert.True(r.Start <= r.End, $"{r.Key}: {r.Start} > {r.End}");
            Assert.True(r.End <= profiler.Elapsed, $"{r.Key} ends at {r.End}, after {profiler.Elapsed}");
            Assert.InRange(r.Worker, 0, Workers(scheduler) - 1);
            Assert.True(r.ThreadId > 0);
        });
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void Summary_CountsPerPrefix_MatchTheGraph(string scheduler)
    {
        var inc = Delayed.Of<long, long>(Inc);
        var dbl = Delayed.Of<long, long>(Double);
        var total = Delayed.Of<IReadOnlyList<long>, long>(Total);
        var parts = Enumerable.Range(0, 40).Select(i => dbl(inc(i))).ToList();
        Delayed<long> x = total(Delayed.List([.. parts, .. parts.Take(10).Select(p => inc(p))]));
        TaskGraph g = x.ToGraph();

        var profiler = new Profiler();
        using (profiler.Activate())
        {
            TestGraphs.Scheduler(scheduler).Get(g, [x.Key]);
        }

        Dictionary<string, int> expected = g.Keys.GroupBy(k => k.Prefix).ToDictionary(k => k.Key, k => k.Count());
        IReadOnlyList<PrefixSummary> summary = profiler.Summary();
        Assert.Equal(expected, summary.ToDictionary(s => s.Prefix, s => s.Count));
        Assert.Equal(new Dictionary<string, int> { ["Inc"] = 50, ["Double"] = 40, ["Total"] = 1 }, expected);
        foreach (PrefixSummary s in summary)
        {
            TaskRecord[] mine = [.. profiler.Results.Where(r => r.Key.Prefix == s.Prefix)];
            Assert.Equal(TimeSpan.FromTicks(mine.Sum(r => r.Duration.Ticks)), s.Total);
            Assert.Equal(mine.Max(r => r.Duration), s.Max);
            Assert.Equal(TimeSpan.FromTicks(s.Total.Ticks / s.Count), s.Mean);
        }

        Assert.Equal(summary.OrderByDescending(s => s.Total).Select(s => s.Prefix), summary.Select(s => s.Prefix));
    }

    [Fact]
    public void DelayedCompute_RecordsExactlyTheTasksTheSchedulerRan()
    {
        var inc = Delayed.Of<long, long>(Inc);
        var total = Delayed.Of<IReadOnlyList<long>, long>(Total);
        Delayed<long> x = total(Delayed.List(Enumerable.Range(0, 100).Select(i => inc(i))));
        var probe = new TestGraphs.Probe();
        var profiler = new Profiler();
        using (probe.Activate())
        using (profiler.Activate())
        {
            x.Compute(new ThreadedScheduler(2));
        }

        Assert.Equal(probe.Info!.Keys.Order(), profiler.Results.Select(r => r.Key).Order());
    }

    [Fact]
    public void Threaded_RecordsTheWorkerAndThreadThatRanEachTask()
    {
        var ranOn = new ConcurrentDictionary<long, int>();
        using var barrier = new Barrier(2);
        TaskFunction meet = TaskFunction.Create(
            (long i) =>
            {
                ranOn[i] = Environment.CurrentManagedThreadId;
                barrier.SignalAndWait(TimeSpan.FromSeconds(10));
                Thread.Sleep(5);
                return i;
            },
            "meet");
        var g = new TaskGraph
        {
            [new Key("meet", 0)] = Node.Call(meet, Node.Literal(0L)),
            [new Key("meet", 1)] = Node.Call(meet, Node.Literal(1L)),
        };
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            new ThreadedScheduler(2).Get(g, [new Key("meet", 0), new Key("meet", 1)]);
        }

        IReadOnlyList<TaskRecord> records = profiler.Results;
        Assert.Equal(2, records.Count);
        Assert.Equal([0, 1], records.Select(r => r.Worker).Order());
        foreach (TaskRecord r in records)
        {
            Assert.Equal(ranOn[r.Key[0]], r.ThreadId);
        }

        // They met at the barrier, so they ran at the same time.
        Assert.True(records[0].Start < records[1].End && records[1].Start < records[0].End);
    }

    [Fact]
    public void FailingTask_IsNotRecordedButTheOthersAre()
    {
        var ran = new ConcurrentBag<Key>();
        TaskFunction boom = TaskFunction.Create((long x) => x == 3 ? throw new InvalidOperationException("boom") : x, "boom");
        var g = new TaskGraph();
        for (int i = 0; i < 6; i++)
        {
            g[new Key("boom", i)] = Node.Call(boom, Node.Literal((long)i));
        }

        var profiler = new Profiler();
        using (profiler.Activate())
        {
            Assert.Throws<TaskFailedException>(() => SyncScheduler.Instance.Get(g, [.. g.Keys]));
        }

        Assert.DoesNotContain(new Key("boom", 3), profiler.Results.Select(r => r.Key));
        Assert.InRange(profiler.Results.Count, 0, 5);
        Assert.Equal(profiler.Results.Count, profiler.Results.Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public void SeveralComputations_Accumulate_OnOneClock_UntilCleared()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(20);
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            SyncScheduler.Instance.Get(g, [root]);
            new ThreadedScheduler(2).Get(g, [root]);
        }

        IReadOnlyList<TaskRecord> records = profiler.Results;
        Assert.Equal(2 * g.Count, records.Count);
        TimeSpan firstEnd = records.Take(g.Count).Max(r => r.End);
        Assert.All(records.Skip(g.Count), r => Assert.True(r.Start >= firstEnd));

        profiler.Clear();
        Assert.Empty(profiler.Results);
        Assert.Equal(TimeSpan.Zero, profiler.Elapsed);
        using (profiler.Activate())
        {
            SyncScheduler.Instance.Get(g, [root]);
        }

        Assert.Equal(g.Count, profiler.Results.Count);
        Assert.True(profiler.Results.Min(r => r.Start) < firstEnd);
    }

    [Fact]
    public void Elapsed_GrowsWhileAComputationRuns_AndStopsAtItsEnd()
    {
        var profiler = new Profiler();
        Assert.Equal(TimeSpan.Zero, profiler.Elapsed);
        TimeSpan during = TimeSpan.Zero;
        TaskFunction look = TaskFunction.Create(
            (long x) =>
            {
                Thread.Sleep(20);
                during = profiler.Elapsed;
                return x;
            },
            "look");
        var g = new TaskGraph { ["look"] = Node.Call(look, Node.Literal(1L)) };
        using (profiler.Activate())
        {
            SyncScheduler.Instance.Get(g, ["look"]);
        }

        Assert.True(during >= TimeSpan.FromMilliseconds(15), during.ToString());
        TimeSpan after = profiler.Elapsed;
        Assert.True(after >= during);
        Thread.Sleep(5);
        Assert.Equal(after, profiler.Elapsed);
    }

    [Fact]
    public void NestedComputation_IsRecordedWithTheOuterOne()
    {
        (TaskGraph inner, Key innerRoot) = TestGraphs.Tree(10);
        TaskFunction nest = TaskFunction.Create((long x) => (long)SyncScheduler.Instance.Get(inner, [innerRoot])[0]! + x, "nest");
        var g = new TaskGraph { ["outer"] = Node.Call(nest, Node.Literal(1L)) };
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            SyncScheduler.Instance.Get(g, ["outer"]);
        }

        Assert.Equal(inner.Keys.Append("outer").Order(), profiler.Results.Select(r => r.Key).Order());
        TaskRecord outer = profiler.Results.Single(r => r.Key == new Key("outer"));
        Assert.All(profiler.Results, r => Assert.True(r.End <= outer.End));
    }

    [Fact]
    public void ToTable_ListsEveryPrefixWithItsCount()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(64);
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            new ThreadedScheduler(2).Get(g, [root]);
        }

        string table = profiler.ToTable();
        string[] lines = table.Split('\n');
        Assert.Contains(lines, l => l.Contains("Prefix", StringComparison.Ordinal) && l.Contains("Tasks", StringComparison.Ordinal) && l.Contains("Mean", StringComparison.Ordinal));
        foreach (IGrouping<string, Key> group in g.Keys.GroupBy(k => k.Prefix))
        {
            Assert.Contains(lines, l => l.Contains(" " + group.Key + " ", StringComparison.Ordinal) && l.Contains(" " + group.Count().ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
        }

        Assert.Contains($"{g.Count} tasks on", table, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', table);
        Assert.All(lines, l => Assert.True(l.Length <= 100, l));
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void WriteTimeline_WritesWellFormedSvgWithOneRectPerTask(string scheduler)
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(120, TestGraphs.Sleeping(0));
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            TestGraphs.Scheduler(scheduler).Get(g, [root]);
        }

        string path = Path.Combine(_folder, "profile.svg");
        profiler.WriteTimeline(path);

        XDocument svg = XDocument.Load(path);
        Assert.Equal(s_svg + "svg", svg.Root!.Name);
        XElement[] rects = [.. svg.Descendants(s_svg + "rect")];
        Assert.Equal(g.Count, rects.Length);
        Assert.All(rects, r => Assert.Equal("task", (string?)r.Attribute("class")));
        Assert.Equal(g.Keys.Select(k => k.ToString()).Order(), rects.Select(r => r.Element(s_svg + "title")!.Value.Split(" | ")[0]).Order());
        double plotRight = rects.Max(r => Attr(r, "x") + Attr(r, "width"));
        Assert.All(rects, r => Assert.True(Attr(r, "width") > 0));
        Assert.InRange(rects.Select(r => Attr(r, "y")).Distinct().Count(), 1, Workers(scheduler));
        Assert.True(plotRight <= Attr(svg.Root, "width"));
        string[] labels = [.. svg.Descendants(s_svg + "text").Select(t => t.Value)];
        foreach (string prefix in g.Keys.Select(k => k.Prefix).Distinct())
        {
            Assert.Contains(labels, l => l.StartsWith(prefix + " (", StringComparison.Ordinal));
        }

        Assert.Contains("worker 0", labels);
        Assert.Equal(["profile.svg"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteTimeline_KeysWithMarkupCharacters_StayWellFormed()
    {
        TaskFunction f = TaskFunction.Create((long x) => x, "odd");
        var g = new TaskGraph
        {
            ["<a & 'b'> \"c\"\u0001"] = Node.Call(f, Node.Literal(1L)),
            ["plain"] = Node.Call(f, Node.Literal(2L)),
        };
        var profiler = new Profiler();
        using (profiler.Activate())
        {
            SyncScheduler.Instance.Get(g, [.. g.Keys]);
        }

        string path = Path.Combine(_folder, "odd.svg");
        profiler.WriteTimeline(path, title: "Q&A <profile>");
        XDocument svg = XDocument.Load(path);
        Assert.Equal(2, svg.Descendants(s_svg + "rect").Count());
        Assert.Contains(svg.Descendants(s_svg + "text"), t => t.Value == "Q&A <profile>");
        Assert.Contains(svg.Descendants(s_svg + "title"), t => t.Value.StartsWith("<a & 'b'> \"c\"\uFFFD", StringComparison.Ordinal));
    }

    [Fact]
    public void WriteTimeline_NothingRecorded_WritesAnEmptyTimeline()
    {
        string path = Path.Combine(_folder, "empty.svg");
        new Profiler().WriteTimeline(path);
        XDocument svg = XDocument.Load(path);
        Assert.Empty(svg.Descendants(s_svg + "rect"));
    }

    private static double Attr(XElement e, string name) => double.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);
}
