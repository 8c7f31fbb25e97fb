using Tessera.Distributed.Runtime;
using static Tessera.Distributed.Tests.Runtime.TestFunctions;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>The client API over an in-process cluster (2 workers, 2 threads each) in memory.</summary>
public sealed class ClientApiTests : InMemoryClusterTests
{
    private static long Add(long x, long y) => x + y;

    private static long Combine(long x, long y, long z) => (100 * x) + (10 * y) + z;

    [Fact]
    public async Task Submit_ThreeArguments_ValuesAndFuturesInEveryPosition()
    {
        using Future<long> one = Client.Submit(Add, 0L, 1L);
        using Future<long> two = Client.Submit(Add, 1L, 1L);
        using Future<long> three = Client.Submit(Add, 1L, 2L);
        using Future<long> values = Client.Submit(Combine, 1L, 2L, 3L);
        using Future<long> mixed = Client.Submit(Combine, one, 2L, three);
        using Future<long> futures = Client.Submit(Combine, one, two, three);
        using Future<long> lastFuture = Client.Submit(Combine, 1L, 2L, three);
        long[] results = await Client.GatherAsync([values, mixed, futures, lastFuture]);
        Assert.Equal([123L, 123L, 123L, 123L], results);
    }

    private static long Digits4(long a, long b, long c, long d) => (1000 * a) + (100 * b) + (10 * c) + d;

    private static long Digits5(long a, long b, long c, long d, long e) => (10 * Digits4(a, b, c, d)) + e;

    private static long Digits6(long a, long b, long c, long d, long e, long f) => (10 * Digits5(a, b, c, d, e)) + f;

    [Fact]
    public async Task Submit_FourToSixArguments_ValuesAndFuturesInAnyPosition()
    {
        using Future<long> one = Client.Submit(Add, 0L, 1L);
        using Future<long> three = Client.Submit(Add, 1L, 2L);
        using Future<long> six = Client.Submit(Add, 2L, 4L);
        using Future<long> four = Client.Submit(Digits4, 1L, 2L, 3L, 4L);
        using Future<long> fourMixed = Client.Submit(Digits4, one, 2L, three, 4L);
        using Future<long> five = Client.Submit(Digits5, 1L, 2L, three, 4L, 5L);
        using Future<long> sixValues = Client.Submit(Digits6, 1L, 2L, 3L, 4L, 5L, 6L);
        using Future<long> sixMixed = Client.Submit(Digits6, one, 2L, three, 4L, 5L, six);
        using Future<long> sixFutures = Client.Submit(Digits6, one, one, three, three, six, six);
        long[] results = await Client.GatherAsync([four, fourMixed, five, sixValues, sixMixed, sixFutures]).WaitAsync(TimeSpan.FromSeconds(30));
        long[] expected = [Digits4(1, 2, 3, 4), Digits4(1, 2, 3, 4), Digits5(1, 2, 3, 4, 5), Digits6(1, 2, 3, 4, 5, 6), Digits6(1, 2, 3, 4, 5, 6), Digits6(1, 1, 3, 3, 6, 6)];
        Assert.Equal(expected, results);

        // The default key depends on the arguments: a future argument is a dependency, not a value.
        Assert.NotEqual(four.Key, fourMixed.Key);
        using Future<long> again = Client.Submit(Digits6, 1L, 2L, 3L, 4L, 5L, 6L);
        Assert.Equal(sixValues.Key, again.Key);
    }

    [Fact]
    public async Task Map_OverFutures_PassesEachResult()
    {
        long[] xs = [.. Enumerable.Range(0, 100).Select(i => (long)i)];
        IReadOnlyList<Future<long>> squares = Client.Map<long, long>(x => x * x, xs);
        IReadOnlyList<Future<long>> plusOne = Client.Map<long, long>(x => x + 1, squares);
        Assert.Equal(xs.Select(x => (x * x) + 1), await Client.GatherAsync(plusOne).WaitAsync(TimeSpan.FromSeconds(30)));

        // Two sequences, futures on either side or both.
        long[] ys = [.. Enumerable.Range(0, 80).Select(i => (long)i * 3)];
        IReadOnlyList<Future<long>> futuresValues = Client.Map(Add, squares, ys);
        IReadOnlyList<Future<long>> valuesFutures = Client.Map(Add, ys, squares);
        IReadOnlyList<Future<long>> both = Client.Map(Add, squares, plusOne);
        Assert.Equal(xs.Zip(ys, (x, y) => (x * x) + y), await Client.GatherAsync(futuresValues).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(xs.Zip(ys, (x, y) => (x * x) + y), await Client.GatherAsync(valuesFutures).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(xs.Select(x => (2 * x * x) + 1), await Client.GatherAsync(both).WaitAsync(TimeSpan.FromSeconds(30)));
        DisposeAll([.. squares, .. plusOne, .. futuresValues, .. valuesFutures, .. both]);
    }

    [Fact]
    public void Map_NullFuture_ThrowsNamingTheSequence()
    {
        using Future<long> one = Client.Submit(Add, 0L, 1L);
        ArgumentNullException e = Assert.Throws<ArgumentNullException>(() => Client.Map<long, long>(x => x, [one, null!]));
        Assert.Equal("futures", e.ParamName);
    }

    [Fact]
    public async Task Submit_FutureOfAnotherClient_ThrowsAtCallTimeNamingTheKeyAndTheFix()
    {
        await using Client other = await Client.ConnectAsync(InMemoryNetwork.Instance, TestSerializers.Create(), Cluster.Scheduler.Address, setAsDefault: false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        using Future<long> theirs = other.Submit(Add, 40L, 2L);
        using Future<long> mine = Client.Submit(Add, 1L, 2L);

        ArgumentException submit = Assert.Throws<ArgumentException>(() => Client.Submit(Add, mine, theirs));
        Assert.Contains($"Future {theirs.Key} belongs to client {other.Id}", submit.Message, StringComparison.Ordinal);
        Assert.Contains("call this on the client that created it", submit.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Client.Submit(Combine, 1L, theirs, 3L));
        ArgumentException map = Assert.Throws<ArgumentException>(() => Client.Map<long, long>(x => x, [mine, theirs]));
        Assert.Equal("futures", map.ParamName);
        Assert.Contains(theirs.Key.ToString(), map.Message, StringComparison.Ordinal);

        // The owner can pass its future, and this client its own.
        using Future<long> fromOwner = other.Submit(Add, theirs, 1L);
        using Future<long> fromMine = Client.Submit(Add, mine, 1L);
        Assert.Equal(43L, await fromOwner.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(4L, await fromMine.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Submit_DisposedOrCancelledFuture_ThrowsAtCallTimeNamingTheKey()
    {
        Future<long> disposed = Client.Submit(Add, 500L, 1L);
        Assert.Equal(501L, await disposed.ResultAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        disposed.Dispose();
        ArgumentException submit = Assert.Throws<ArgumentException>(() => Client.Submit(Add, disposed, 1L));
        Assert.Contains($"Future {disposed.Key} was disposed", submit.Message, StringComparison.Ordinal);
        Future<long>[] gone = [disposed];
        long[] ones = [1L];
        ArgumentException map = Assert.Throws<ArgumentException>(() => Client.Map(Add, gone, ones));
        Assert.Equal("futures1", map.ParamName);
        Assert.Contains(disposed.Key.ToString(), map.Message, StringComparison.Ordinal);

        using Future<long> cancelled = Client.Submit(Add, 600L, 1L);
        await Client.CancelAsync([cancelled]).WaitAsync(TimeSpan.FromSeconds(30));
        ArgumentException afterCancel = Assert.Throws<ArgumentException>(() => Client.Submit(Add, 1L, cancelled));
        Assert.Contains($"Future {cancelled.Key} was cancelled", afterCancel.Message, StringComparison.Ordinal);
        Assert.Contains("submit its task again", afterCancel.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_TwoSequences_MatchesZip()
    {
        long[] xs = [.. Enumerable.Range(0, 200).Select(i => (long)i)];
        long[] ys = [.. Enumerable.Range(0, 150).Select(i => (long)i * 7)];
        IReadOnlyList<Future<long>> futures = Client.Map(Add, xs, ys);
        Assert.Equal(xs.Zip(ys, Add), await Client.GatherAsync(futures));
        Assert.Equal(150, futures.Count);
        DisposeAll(futures);
    }

    [Fact]
    public async Task Submit_Retries_ToleratesThatManyFailuresAndReportsTheLast()
    {
        string id = Guid.NewGuid().ToString("N");
        using Future<long> recovers = Client.Submit(FailFirst, id + "-a", 2L, retries: 2);
        using Future<long> failsTwice = Client.Submit(FailFirst, id + "-b", 2L, retries: 1);
        using Future<long> noRetries = Client.Submit(FailFirst, id + "-c", 1L);
        Assert.Equal(3L, await recovers);
        TaskFailedException second = await Assert.ThrowsAsync<TaskFailedException>(() => failsTwice.ResultAsync());
        Assert.Equal($"attempt 2 of {id}-b", second.InnerException!.Message);
        TaskFailedException first = await Assert.ThrowsAsync<TaskFailedException>(() => noRetries.ResultAsync());
        Assert.Equal($"attempt 1 of {id}-c", first.InnerException!.Message);
    }

    [Fact]
    public async Task Map_Retries_EveryTaskRecovers()
    {
        string id = Guid.NewGuid().ToString("N");
        string[] ids = [.. Enumerable.Range(0, 30).Select(i => $"{id}-{i}")];
        long[] failures = [.. Enumerable.Range(0, 30).Select(i => (long)(i % 3))];
        IReadOnlyList<Future<long>> futures = Client.Map(FailFirst, ids, failures, retries: 2);
        Assert.Equal(failures.Select(f => f + 1), await Client.GatherAsync(futures));
        DisposeAll(futures);
    }

    [Fact]
    public void Submit_NegativeRetries_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.Submit(Add, 1L, 2L, retries: -1));
    }

    private static long Inc(long x) => x + 1;

    [Fact]
    public async Task GetWorkersAsync_ListsEveryWorkerWithItsThreads()
    {
        IReadOnlyDictionary<string, int> workers = await Client.GetWorkersAsync();
        Assert.Equal(Cluster.Workers.Select(w => w.Address).Order(), workers.Keys.Order());
        Assert.All(workers.Values, t => Assert.Equal(2, t));
    }

    [Fact]
    public async Task ScatterAsync_ValuesAreFinishedFuturesSpreadOverTheWorkers()
    {
        long[] data = [.. Enumerable.Range(0, 20).Select(i => (long)i * 3)];
        IReadOnlyList<Future<long>> futures = await Client.ScatterAsync(data);
        Assert.All(futures, f => Assert.Equal(FutureStatus.Finished, f.Status));
        Assert.Equal(data, await Client.GatherAsync(futures));
        Assert.All(Cluster.Workers, w => Assert.Equal(10, w.StoredKeys));
        DisposeAll(futures);
        await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the scattered keys");
        await WaitUntil(() => Cluster.Workers.Sum(w => w.StoredKeys) == 0, "the workers dropping the scattered values");
    }

    [Fact]
    public async Task ScatterAsync_Futures_AreInputsOfTasks()
    {
        long[] data = [.. Enumerable.Range(0, 20).Select(i => (long)i * 5)];
        IReadOnlyList<Future<long>> futures = await Client.ScatterAsync(data);
        IReadOnlyList<Future<long>> incremented = [.. futures.Select(f => Client.Submit(Inc, f))];
        Assert.Equal(data.Select(Inc), await Client.GatherAsync(incremented));
        DisposeAll(incremented);
        DisposeAll(futures);
        await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting every key");
    }

    [Fact]
    public async Task ScatterAsync_EqualValues_GetTheSameDeterministicKey()
    {
        IReadOnlyList<Future<long>> first = await Client.ScatterAsync([123L, 123L, 124L]);
        IReadOnlyList<Future<long>> second = await Client.ScatterAsync([123L]);
        Assert.Equal(first[0].Key, first[1].Key);
        Assert.Equal(first[0].Key, second[0].Key);
        Assert.NotEqual(first[0].Key, first[2].Key);
        Assert.StartsWith("Int64-", first[0].Key.Name, StringComparison.Ordinal);
        IReadOnlyList<Future<string>> text = await Client.ScatterAsync(["a"]);
        Assert.StartsWith("String-", text[0].Key.Name, StringComparison.Ordinal);
        Assert.Equal(["a"], await Client.GatherAsync(text));
        DisposeAll(first);
        DisposeAll(second);
        DisposeAll(text);
    }

    [Fact]
    public async Task ScatterAsync_Broadcast_PutsACopyOnEveryWorker()
    {
        IReadOnlyList<Future<int[]>> futures = await Client.ScatterAsync([new[] { 1, 2, 3 }, [4, 5]], broadcast: true);
        Assert.All(Cluster.Workers, w => Assert.Equal(2, w.StoredKeys));
        int[][] values = await Client.GatherAsync(futures);
        Assert.Equal([1, 2, 3], values[0]);
        Assert.Equal([4, 5], values[1]);
        IReadOnlyList<Future<int>> sums = Client.Map<int[], int>(xs => xs.Sum(), [[9]]);
        int[] sum = await Client.GatherAsync(sums);
        Assert.Equal([9], sum);
        DisposeAll(sums);
        DisposeAll(futures);
        await WaitUntil(() => Cluster.Workers.Sum(w => w.StoredKeys) == 0, "the workers dropping the broadcast values");
    }

    [Fact]
    public async Task ScatterAsync_Nothing_ReturnsNoFutures()
    {
        Assert.Empty(await Client.ScatterAsync(Array.Empty<long>()));
    }

    [Fact]
    public async Task RunAsync_RunsOnEveryWorkerAndReturnsEachResult()
    {
        long offset = 40;
        IReadOnlyDictionary<string, long> results = await Client.RunAsync(() => offset + 2);
        Assert.Equal(Cluster.Workers.Select(w => w.Address).Order(), results.Keys.Order());
        Assert.All(results.Values, v => Assert.Equal(42L, v));
        Assert.Equal(0, Cluster.Scheduler.TaskCount);

        string one = Cluster.Workers[1].Address;
        IReadOnlyDictionary<string, string> named = Client.Run(() => "ok", [one]);
        Assert.Equal([one], named.Keys);
    }

    [Fact]
    public async Task RunAsync_ThrowingFunction_CarriesTheRemoteError()
    {
        RemoteException e = await Assert.ThrowsAsync<RemoteException>(() => Client.RunAsync<int>(() => throw new NotSupportedException("not here")));
        Assert.Equal(typeof(NotSupportedException).FullName, e.RemoteTypeName);
        Assert.Equal("not here", e.Message);
    }

    [Fact]
    public async Task FireAndForget_ReleasedFuture_StillRunsAndIsForgottenAfterwards()
    {
        string gate = NewGate(), id = Guid.NewGuid().ToString("N");
        try
        {
            Future<long> blocked = Client.Submit(AfterGate, gate, 1L);
            Future<long> effect = Client.Submit(Record, id, blocked);
            Client.FireAndForget([effect]);
            effect.Dispose();
            blocked.Dispose();
            Open(gate);
            await WaitUntil(() => Calls(id) == 1, "the fire-and-forget task running");
            await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the finished task");
            await WaitUntil(() => Cluster.Workers.Sum(w => w.StoredKeys) == 0, "the workers dropping the results");
        }
        finally
        {
            Open(gate);
        }
    }

    [Fact]
    public async Task FireAndForget_ClientDisconnects_TheTaskStillRuns()
    {
        string gate = NewGate(), id = Guid.NewGuid().ToString("N");
        try
        {
            await using (Client other = await Client.ConnectAsync(InMemoryNetwork.Instance, TestSerializers.Create(), Cluster.Scheduler.Address, setAsDefault: false, CancellationToken.None))
            {
                Future<long> blocked = other.Submit(AfterGate, gate, 2L);
                Future<long> effect = other.Submit(Record, id, blocked);
                other.FireAndForget([effect]);
                Assert.Throws<ArgumentException>(() => Client.FireAndForget([effect]));
            }

            Open(gate);
            await WaitUntil(() => Calls(id) == 1, "the fire-and-forget task running");
            await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the finished task");
        }
        finally
        {
            Open(gate);
        }
    }

    [Fact]
    public async Task Release_WithoutFireAndForget_TheWaitingTaskNeverRuns()
    {
        string gate = NewGate(), id = Guid.NewGuid().ToString("N");
        try
        {
            Future<long> blocked = Client.Submit(AfterGate, gate, 3L);
            Future<long> effect = Client.Submit(Record, id, blocked);
            effect.Dispose();
            blocked.Dispose();
            await WaitUntil(() => Cluster.Scheduler.TaskCount == 0, "the scheduler forgetting the released tasks");
            Open(gate);
            await Task.Delay(50);
            Assert.Equal(0, Calls(id));
        }
        finally
        {
            Open(gate);
        }
    }
}
