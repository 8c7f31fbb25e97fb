using System.Diagnostics;

namespace Tessera.Distributed.Tests;

/// <summary>
/// A nanny's limits (<see cref="NannyOptions"/>), with a shell script as its child: the back-off between
/// children that die before joining, the most replacements within a window, and the stop timeout.
/// </summary>
public sealed class NannyOptionsTests
{
    private const string Joins = "echo 'Worker at tcp://127.0.0.1:1 with 1 thread(s)'; ";
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ChildrenThatDieBeforeJoining_AreStartedAgainAfterADoublingBackoff_UntilTheNannyGivesUp()
    {
        var errors = new List<string>();
        WorkerNanny nanny = Nanny("echo starting >&2; exit 3", new NannyOptions { MaxFailedStarts = 3, RestartBackoff = TimeSpan.FromMilliseconds(400) }, errors);
        var watch = Stopwatch.StartNew();

        Assert.Equal(1, await nanny.RunAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));

        // Three starts: 0.4 s after the first death, 0.8 s after the second; the third death ends it.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1200), $"three starts took {watch.Elapsed.TotalMilliseconds:0} ms, less than the back-off");
        Assert.Equal(2, nanny.Restarts);
        Assert.Equal(3, Lines(errors).Count(l => l == "starting"));
        Assert.Contains(Lines(errors), l => l.Contains("died 3 times in a row before joining", StringComparison.Ordinal));
        Assert.StartsWith("exited with code 3 before it joined; its last error lines:\nstarting", nanny.FailedToStart, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxRestarts_WithinTheWindow_EndsTheNanny_ButReplacementsOutsideItDoNotCount()
    {
        // A child that joins, then dies at once.
        var errors = new List<string>();
        WorkerNanny limited = Nanny(Joins + "exit 3", new NannyOptions { MaxRestarts = 4, RestartWindow = TimeSpan.FromMinutes(5) }, errors);
        Assert.Equal(1, await limited.RunAsync(TestContext.Current.CancellationToken).WaitAsync(s_limit, TestContext.Current.CancellationToken));
        Assert.Equal(4, limited.Restarts);
        Assert.Contains(Lines(errors), l => l.Contains("more than 4 replacements within 300 s; giving up", StringComparison.Ordinal));

        // Children that live 0.2 s: no two replacements fall within 50 ms, and the nanny goes on until stopped.
        WorkerNanny windowed = Nanny(Joins + "sleep 0.2; exit 3", new NannyOptions { MaxRestarts = 1, RestartWindow = TimeSpan.FromMilliseconds(50) }, []);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Task<int> run = windowed.RunAsync(stop.Token);
        var watch = Stopwatch.StartNew();
        while (windowed.Restarts < 5)
        {
            Assert.False(run.IsCompleted, $"the nanny gave up after {windowed.Restarts} replacements");
            Assert.True(watch.Elapsed < s_limit, "the nanny did not replace its child 5 times");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(s_limit, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AStoppedNanny_KillsAChildThatIgnoresItsClosedInput_AfterTheStopTimeout()
    {
        // sleep does not read its standard input, so closing it does not stop the child.
        WorkerNanny nanny = Nanny(Joins + "exec sleep 60", new NannyOptions { StopTimeout = TimeSpan.FromMilliseconds(500) }, []);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Task<int> run = nanny.RunAsync(stop.Token);
        var watch = Stopwatch.StartNew();
        while (nanny.ProcessId == 0)
        {
            Assert.True(watch.Elapsed < s_limit, "the nanny did not start its child");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        int child = nanny.ProcessId;
        watch.Restart();
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(s_limit, TestContext.Current.CancellationToken));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(8));
        Assert.False(TestProcesses.IsRunning(child), $"the child {child} still runs");
    }

    [Fact]
    public async Task BadLimits_AreRefused_NamingTheOperationTheOptionAndTheValue()
    {
        ArgumentOutOfRangeException nanny = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Nanny("exit 0", new NannyOptions { RestartBackoff = TimeSpan.FromSeconds(-1) }, []).RunAsync(TestContext.Current.CancellationToken));
        Assert.Contains("WorkerNanny: NannyOptions.RestartBackoff is -00:00:01; it must be zero or more.", nanny.Message, StringComparison.Ordinal);

        ArgumentOutOfRangeException cluster = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, Nanny = new NannyOptions { MaxRestarts = 0 } }, TestContext.Current.CancellationToken));
        Assert.Contains("LocalCluster: NannyOptions.MaxRestarts is 0", cluster.Message, StringComparison.Ordinal);
        Assert.Equal("MaxRestarts", cluster.ParamName);
    }

    private static WorkerNanny Nanny(string script, NannyOptions options, List<string> errors) =>
        new("sh", ["-c", script], _ => [])
        {
            Options = options,
            OutputLines = static _ => { },
            ErrorLines = line =>
            {
                lock (errors)
                {
                    errors.Add(line);
                }
            },
        };

    private static string[] Lines(List<string> errors)
    {
        lock (errors)
        {
            return [.. errors];
        }
    }
}
