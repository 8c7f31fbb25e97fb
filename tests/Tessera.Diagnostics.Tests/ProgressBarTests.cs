using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Diagnostics.Tests;

public sealed partial class ProgressBarTests
{
    private static readonly TaskFunction s_boom = TaskFunction.Create((long x) => x > 0 ? throw new InvalidOperationException("boom") : x, "boom");

    private static long Inc(long x) => x + 1;

    private static long Total(IReadOnlyList<long> xs) => xs.Sum();

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void Plain_Success_FinalLineShowsFullBarAndTaskCount(string scheduler)
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(200);
        var output = new StringWriter();
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output }).Activate())
        {
            TestGraphs.Scheduler(scheduler).Get(g, [root]);
        }

        string last = Lines(output)[^1];
        Assert.Matches(@"^\[#{40}\] \| 100% Completed \| " + g.Count + "/" + g.Count + @" tasks \| \d+\.\ds$", last);
        Assert.DoesNotContain('\r', output.ToString());
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void Plain_DelayedCompute_CountsTheTasksThatRan(string scheduler)
    {
        var inc = Delayed.Of<long, long>(Inc);
        var total = Delayed.Of<IReadOnlyList<long>, long>(Total);
        Delayed<long> x = total(Delayed.List(Enumerable.Range(0, 50).Select(i => inc(i))));
        var output = new StringWriter();
        var probe = new TestGraphs.Probe();
        using (probe.Activate())
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output }).Activate())
        {
            Assert.Equal(Enumerable.Range(1, 50).Sum(), x.Compute(TestGraphs.Scheduler(scheduler)));
        }

        int n = probe.Info!.TaskCount;
        Assert.Equal(51, n);
        Assert.Contains($"| 100% Completed | {n}/{n} tasks |", Lines(output)[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void Plain_FailingTask_FinalLineShowsFailure(string scheduler)
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(8);
        g[new Key("inc", 5)] = Node.Call(s_boom, Node.Ref("seed"));
        var output = new StringWriter();
        var bar = new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output });
        using (bar.Activate())
        {
            Assert.Throws<TaskFailedException>(() => TestGraphs.Scheduler(scheduler).Get(g, [root]));
        }

        string[] lines = Lines(output);
        Match m = FinalLine().Match(lines[^1]);
        Assert.True(m.Success, lines[^1]);
        Assert.Equal("Failed", m.Groups["status"].Value);
        Assert.True(int.Parse(m.Groups["done"].Value, CultureInfo.InvariantCulture) < g.Count);
        Assert.Equal(g.Count, int.Parse(m.Groups["total"].Value, CultureInfo.InvariantCulture));
        Assert.NotEqual("100", m.Groups["percent"].Value);
        Assert.NotNull(bar.LastDuration);
    }

    [Fact]
    public void Plain_Cancelled_FinalLineShowsFailure()
    {
        // The tenth task cancels: a timer could fire after all 400 tasks on a loaded machine.
        using var cts = new CancellationTokenSource();
        int started = 0;
        TaskFunction cancelling = TaskFunction.Create(
            (long x) =>
            {
                if (Interlocked.Increment(ref started) == 10)
                {
                    cts.Cancel();
                }

                Thread.Sleep(1);
                return x;
            },
            "nap");
        (TaskGraph g, Key root) = TestGraphs.Tree(400, cancelling);
        var output = new StringWriter();
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output }).Activate())
        {
            Assert.ThrowsAny<OperationCanceledException>(() => new ThreadedScheduler(2).Get(g, [root], cts.Token));
        }

        Assert.Contains("% Failed |", Lines(output)[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threads")]
    public void ShortComputation_BelowMinimum_PrintsNothing(string scheduler)
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(100);
        var output = new StringWriter();
        var bar = new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.FromSeconds(30), Output = output });
        using (bar.Activate())
        {
            TestGraphs.Scheduler(scheduler).Get(g, [root]);
        }

        Assert.Equal(string.Empty, output.ToString());
        Assert.True(bar.LastDuration < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void DefaultMinimum_IsATenthOfASecond() =>
        Assert.Equal(TimeSpan.FromSeconds(0.1), new ProgressBarOptions().Minimum);

    [Fact]
    public void Plain_LongComputation_PrintsBoundedIntermediateLines()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(40, TestGraphs.Sleeping(10));
        var output = new StringWriter();
        var interval = TimeSpan.FromMilliseconds(60);
        var bar = new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, PlainInterval = interval, Output = output });
        using (bar.Activate())
        {
            SyncScheduler.Instance.Get(g, [root]);
        }

        string text = output.ToString();
        Assert.DoesNotContain('\r', text);
        string[] lines = Lines(output);
        Assert.True(lines.Length >= 2, text);
        Assert.True(lines.Length <= (bar.LastDuration!.Value / interval) + 2, $"{lines.Length} lines in {bar.LastDuration}: {text}");
        // Intermediate lines only when the count moved; the final line may repeat the last count.
        int[] done = [.. lines[..^1].Select(l => int.Parse(FinalLine().Match(l).Groups["done"].Value, CultureInfo.InvariantCulture))];
        Assert.Equal(done.Order(), done);
        Assert.Equal(done.Distinct().Count(), done.Length);
        Assert.EndsWith($"100% Completed | {g.Count}/{g.Count} tasks | {FinalLine().Match(lines[^1]).Groups["time"].Value}", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void SameBar_TwoComputations_PrintsAFinalLineForEach()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(30);
        var output = new StringWriter();
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output }).Activate())
        {
            SyncScheduler.Instance.Get(g, [root]);
            new ThreadedScheduler(2).Get(g, [new Key("inc", 3)]);
        }

        string[] lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Contains($"| 100% Completed | {g.Count}/{g.Count} tasks |", lines[0], StringComparison.Ordinal);
        Assert.Contains("| 100% Completed | 2/2 tasks |", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void NestedComputation_IsCountedInTheSameBar()
    {
        (TaskGraph inner, Key innerRoot) = TestGraphs.Tree(10);
        TaskFunction nest = TaskFunction.Create((long x) => (long)SyncScheduler.Instance.Get(inner, [innerRoot])[0]! + x, "nest");
        var g = new TaskGraph { ["outer"] = Node.Call(nest, Node.Literal(1L)) };
        var output = new StringWriter();
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output }).Activate())
        {
            SyncScheduler.Instance.Get(g, ["outer"]);
        }

        int n = inner.Count + 1;
        Assert.Contains($"| 100% Completed | {n}/{n} tasks |", Lines(output).Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_ComputeAsync_FinalLineIsWrittenWhenTheResultIsReady()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(64);
        var output = new StringWriter();
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Output = output }).Activate())
        {
            await new ThreadedScheduler(2).GetAsync(g, [root], TestContext.Current.CancellationToken);
        }

        Assert.Contains($"| 100% Completed | {g.Count}/{g.Count} tasks |", Lines(output)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Live_InteractiveConsole_DrawsWithSpectreAndEndsComplete()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(60, TestGraphs.Sleeping(5));
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });
        var options = new ProgressBarOptions { Minimum = TimeSpan.Zero, RefreshInterval = TimeSpan.FromMilliseconds(20), Terminal = console };
        using (new ProgressBar(options).Activate())
        {
            new ThreadedScheduler(2).Get(g, [root]);
        }

        string text = output.ToString();
        Assert.Contains("\u001b[", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
        Assert.Contains($"{g.Count}/{g.Count} tasks", text, StringComparison.Ordinal);
        Assert.Contains("Completed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[#", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_FailingTask_ShowsFailed()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(30, TestGraphs.Sleeping(5));
        g[new Key("inc", 29)] = Node.Call(s_boom, Node.Ref("seed"));
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });
        var options = new ProgressBarOptions { Minimum = TimeSpan.Zero, RefreshInterval = TimeSpan.FromMilliseconds(10), Terminal = console };
        using (new ProgressBar(options).Activate())
        {
            Assert.Throws<TaskFailedException>(() => SyncScheduler.Instance.Get(g, [root]));
        }

        Assert.Contains("Failed", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_NonInteractiveConsole_PrintsPlainLines()
    {
        (TaskGraph g, Key root) = TestGraphs.Tree(10);
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        using (new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.Zero, Terminal = console }).Activate())
        {
            SyncScheduler.Instance.Get(g, [root]);
        }

        Assert.Matches(FinalLine(), Lines(output).Single());
    }

    [Fact]
    public void Constructor_BadOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressBar(new ProgressBarOptions { Minimum = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressBar(new ProgressBarOptions { PlainInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressBar(new ProgressBarOptions { RefreshInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProgressBar(new ProgressBarOptions { Width = 0 }));
    }

    [GeneratedRegex(@"^\[[# ]{40}\] \| +(?<percent>\d+)% (?<status>Completed|Failed) \| (?<done>\d+)/(?<total>\d+) tasks \| (?<time>[\d.]+s)$")]
    private static partial Regex FinalLine();
}
