using System.Collections.Concurrent;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>
/// Functions for tasks whose behaviour a test controls: gates that hold a task until the test opens
/// them, and functions that fail a given number of times. The in-process workers run them in this
/// process, so the static state is shared with the test; names are unique per test.
/// </summary>
internal static class TestFunctions
{
    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> s_gates = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> s_attempts = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> s_calls = new(StringComparer.Ordinal);

    /// <summary>Creates a closed gate and returns its name.</summary>
    public static string NewGate()
    {
        string name = "gate-" + Guid.NewGuid().ToString("N");
        s_gates[name] = new ManualResetEventSlim();
        return name;
    }

    public static void Open(string gate) => s_gates[gate].Set();

    /// <summary>Waits (at most 20 s) for the gate to open, then returns <paramref name="value"/>.</summary>
    public static long AfterGate(string gate, long value)
    {
        if (!s_gates[gate].Wait(TimeSpan.FromSeconds(20)))
        {
            throw new TimeoutException($"Gate {gate} was not opened within 20 s.");
        }

        return value;
    }

    /// <summary>
    /// On the threads of the in-process worker named <paramref name="worker"/>, counts the call as held
    /// (<c>Calls(gate)</c>), waits (at most 30 s) for the gate and counts it as done (<c>Calls(gate + "/done")</c>);
    /// elsewhere returns <paramref name="value"/> at once.
    /// </summary>
    public static long HoldOnWorker(string worker, string gate, long value)
    {
        if (Thread.CurrentThread.Name?.Contains($"-{worker}-", StringComparison.Ordinal) == true)
        {
            s_calls.AddOrUpdate(gate, 1, static (_, n) => n + 1);
            s_gates[gate].Wait(TimeSpan.FromSeconds(30));
            s_calls.AddOrUpdate(gate + "/done", 1, static (_, n) => n + 1);
        }

        return value;
    }

    /// <summary>Returns the name of the in-process worker whose thread runs the task (threads are named tessera-worker-NAME-i).</summary>
    public static string WorkerName(long ignored)
    {
        string thread = Thread.CurrentThread.Name ?? string.Empty;
        const string Prefix = "tessera-worker-";
        return thread.StartsWith(Prefix, StringComparison.Ordinal) ? thread[Prefix.Length..thread.LastIndexOf('-')] : thread;
    }

    private static readonly ConcurrentDictionary<string, int[]> s_concurrency = new(StringComparer.Ordinal);

    /// <summary>Runs for a moment, counting how many calls with this id run at once; returns the worker's name.</summary>
    public static string TrackConcurrency(string id, long value)
    {
        int[] counts = s_concurrency.GetOrAdd(id, static _ => new int[2]);
        int now = Interlocked.Increment(ref counts[0]);
        int max;
        while ((max = Volatile.Read(ref counts[1])) < now && Interlocked.CompareExchange(ref counts[1], now, max) != max)
        {
        }

        Thread.Sleep(20);
        Interlocked.Decrement(ref counts[0]);
        return WorkerName(value);
    }

    /// <summary>The most calls of <see cref="TrackConcurrency"/> with this id that ran at once.</summary>
    public static int MaxConcurrency(string id) => s_concurrency.TryGetValue(id, out int[]? counts) ? counts[1] : 0;

    /// <summary>Throws on the first <paramref name="failures"/> calls with this id, then returns the attempt number.</summary>
    public static long FailFirst(string id, long failures)
    {
        int attempt = s_attempts.AddOrUpdate(id, 1, static (_, n) => n + 1);
        if (attempt <= failures)
        {
            throw new InvalidOperationException($"attempt {attempt} of {id}");
        }

        return attempt;
    }

    /// <summary>Counts a call with this id and returns <paramref name="value"/>.</summary>
    public static long Record(string id, long value)
    {
        s_calls.AddOrUpdate(id, 1, static (_, n) => n + 1);
        return value;
    }

    public static int Calls(string id) => s_calls.TryGetValue(id, out int n) ? n : 0;

    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within 10 s");
            await Task.Delay(5);
        }
    }
}
