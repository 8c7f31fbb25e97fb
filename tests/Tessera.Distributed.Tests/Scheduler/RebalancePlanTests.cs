using Tessera.Distributed.Scheduler;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Scheduler;

/// <summary>
/// <see cref="SchedulerState.PlanRebalance"/> by each of Dask's memory measures, against an oracle that
/// works each worker's memory out from the figures given to it (a naive loop over Dask's definitions), and
/// <see cref="RebalanceSettings.FromConfig"/>.
/// </summary>
public sealed class RebalancePlanTests
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(30);

    private sealed class Outbox : ISchedulerOutbox
    {
        public void ComputeTask(WorkerState worker, SchedulerTask task)
        {
        }

        public void FreeKey(WorkerState worker, Key key)
        {
        }

        public void KeyInMemory(ClientState client, SchedulerTask task)
        {
        }

        public void KeyErred(ClientState client, SchedulerTask task)
        {
        }

        public void StealRequest(WorkerState worker, SchedulerTask task)
        {
        }
    }

    // A worker as the test made it: its limit, whether it is paused, the sizes of the keys it holds, its
    // spilled bytes, and its heartbeats' process memory by time (milliseconds).
    private sealed record Figures(string Address, long Limit, bool Paused, Dictionary<Key, long> Held, long Spilled, List<(long At, long Process)> Heartbeats);

    // Dask's definitions, worked out from the figures alone.
    private static double Memory(Figures f, RebalanceMeasure measure)
    {
        long total = 0;
        foreach (long size in f.Held.Values)
        {
            total += size;
        }

        long managed = Math.Max(0, total - f.Spilled);
        long process = f.Heartbeats[^1].Process;
        long now = f.Heartbeats[^1].At;
        long unmanagedOld = long.MaxValue;
        foreach ((long at, long p) in f.Heartbeats)
        {
            if (at >= now - (long)s_window.TotalMilliseconds)
            {
                unmanagedOld = Math.Min(unmanagedOld, Math.Max(0, p - managed));
            }
        }

        long inMemory = Math.Min(managed, process);
        return measure switch
        {
            RebalanceMeasure.Process => process,
            RebalanceMeasure.Managed => managed,
            RebalanceMeasure.ManagedTotal => total,
            _ => inMemory + Math.Min(unmanagedOld, process - inMemory),
        };
    }

    private static (SchedulerState State, Figures[] Figures) Scenario(Random random, RebalanceMeasure measure)
    {
        var state = new SchedulerState(new Outbox()) { Rebalance = RebalanceSettings.Default with { Measure = measure } };
        var figures = new Figures[random.Next(2, 6)];
        for (int i = 0; i < figures.Length; i++)
        {
            figures[i] = new Figures($"w{i}", random.Next(4) == 0 ? 0 : random.Next(1000, 5000), random.Next(7) == 0, [], 0, []);
            state.AddWorker(figures[i].Address, 1).MemoryLimit = figures[i].Limit;
        }

        var data = new List<ScatteredData>();
        for (int k = 0, n = random.Next(0, 40); k < n; k++)
        {
            var key = new Key("x", k);
            long size = random.Next(1, 400);
            Figures[] holders = [.. figures.Where((_, i) => i == k % figures.Length || random.Next(8) == 0)];
            foreach (Figures h in holders)
            {
                h.Held[key] = size;
            }

            data.Add(new ScatteredData(key, [.. holders.Select(h => h.Address)], size));
        }

        state.AddScatteredData("c", data);
        for (int i = 0; i < figures.Length; i++)
        {
            WorkerState w = state.Workers[figures[i].Address];
            (w.OwnsProcess, w.Paused) = (true, figures[i].Paused);
            long held = figures[i].Held.Values.Sum();
            figures[i] = figures[i] with { Spilled = random.Next(0, (int)(held / 2) + 1) };
            for (long at = 0, beats = random.Next(1, 6); beats > 0; beats--, at += random.Next(1, 40_000))
            {
                long process = Math.Max(1, held + random.Next(-200, 3000));
                figures[i].Heartbeats.Add((at, process));
                w.RecordMemory(process, figures[i].Spilled, at, s_window);
            }
        }

        return (state, figures);
    }

    [Theory]
    [InlineData(nameof(RebalanceMeasure.Process))]
    [InlineData(nameof(RebalanceMeasure.Optimistic))]
    [InlineData(nameof(RebalanceMeasure.Managed))]
    [InlineData(nameof(RebalanceMeasure.ManagedTotal))]
    public void PlanRebalance_MovesOnlyFromDasksSendersToItsRecipients_WithinTheMean_UntilNoMoreFits(string measureName)
    {
        RebalanceMeasure measure = Enum.Parse<RebalanceMeasure>(measureName);
        var random = new Random(7 + (int)measure);
        int planned = 0;
        for (int scenario = 0; scenario < 300; scenario++)
        {
            (SchedulerState state, Figures[] figures) = Scenario(random, measure);
            IReadOnlyList<ReplicaMove> moves = state.PlanRebalance(null);
            planned += moves.Count > 0 ? 1 : 0;

            // The oracle's senders and recipients, and what each may lose or gain.
            double mean = figures.Average(f => Memory(f, measure));
            var excess = new Dictionary<string, double>();
            var deficit = new Dictionary<string, double>();
            var halfGap = new Dictionary<string, double>();
            foreach (Figures f in figures)
            {
                double memory = Memory(f, measure);
                halfGap[f.Address] = f.Limit > 0 ? f.Limit * 0.10 / 2 : 0;
                bool canSend = f.Limit == 0 || memory >= f.Limit * 0.30;
                bool canTake = f.Limit == 0 || memory < f.Limit * 0.60;
                if (f.Held.Count > 0 && memory >= mean + halfGap[f.Address] && canSend)
                {
                    excess[f.Address] = memory - mean;
                }
                else if (memory < mean - halfGap[f.Address] && canTake && !f.Paused)
                {
                    deficit[f.Address] = mean - memory;
                }
            }

            string context = $"scenario {scenario}: memory {string.Join(", ", figures.Select(f => $"{f.Address}={Memory(f, measure)}/{f.Limit}{(f.Paused ? " paused" : string.Empty)}"))}";
            var moved = new HashSet<(string, Key)>();
            foreach (ReplicaMove m in moves)
            {
                string from = m.DropFrom!.Address, to = m.To.Address;
                Assert.True(excess.ContainsKey(from), $"{context}: {from} is not a sender");
                Assert.True(deficit.ContainsKey(to), $"{context}: {to} is not a recipient");
                Assert.True(figures.Single(f => f.Address == from).Held.ContainsKey(m.Task.Key), context);
                Assert.False(figures.Single(f => f.Address == to).Held.ContainsKey(m.Task.Key), context);
                Assert.True(moved.Add((from, m.Task.Key)), $"{context}: {m.Task.Key} moves twice from {from}");
                excess[from] -= m.Task.NBytes;
                deficit[to] -= m.Task.NBytes;
                Assert.True(excess[from] >= -1e-9, $"{context}: {from} goes below the mean");
                Assert.True(deficit[to] >= -1e-9, $"{context}: {to} goes above the mean");
            }

            // Nothing more fits: a sender still wanting has no key left that a recipient still wanting could take.
            foreach ((string sender, double left) in excess.Where(s => s.Value > halfGap[s.Key]))
            {
                foreach ((Key key, long size) in figures.Single(f => f.Address == sender).Held.Where(k => !moved.Contains((sender, k.Key)) && k.Value <= left))
                {
                    Assert.DoesNotContain(deficit, r => r.Value > halfGap[r.Key] && r.Value >= size && !figures.Single(f => f.Address == r.Key).Held.ContainsKey(key));
                }
            }
        }

        Assert.True(planned >= 60, $"only {planned} of 300 scenarios moved anything");
    }

    [Fact]
    public void Optimistic_LeavesOutUnmanagedMemoryThatGrewRecently_UntilItIsOld()
    {
        var state = new SchedulerState(new Outbox());
        WorkerState a = state.AddWorker("a", 1), b = state.AddWorker("b", 1);
        (a.MemoryLimit, b.MemoryLimit, a.OwnsProcess, b.OwnsProcess) = (1000, 1000, true, true);
        state.AddScatteredData("c", [.. Enumerable.Range(0, 8).Select(i => new ScatteredData(new Key("x", i), ["a"], 50))]);

        // a: 400 managed, 100 unmanaged all along. b: 100 unmanaged, then 400 more 10 s ago.
        a.RecordMemory(500, 0, 0, s_window);
        b.RecordMemory(100, 0, 0, s_window);
        a.RecordMemory(500, 0, 20_000, s_window);
        b.RecordMemory(500, 0, 20_000, s_window);
        a.RecordMemory(500, 0, 30_000, s_window);
        b.RecordMemory(500, 0, 30_000, s_window);

        Assert.Equal((500L, 100L), (SchedulerState.RebalanceMemory(a, RebalanceMeasure.Optimistic), SchedulerState.RebalanceMemory(b, RebalanceMeasure.Optimistic)));
        Assert.Equal(RebalanceMeasure.Optimistic, state.RebalanceMeasureNow());

        // Optimistic (the default): a is 200 above the mean 300, so it sends until within 50 of it: 3 keys.
        IReadOnlyList<ReplicaMove> moves = state.PlanRebalance(null);
        Assert.Equal(3, moves.Count);
        Assert.All(moves, m => Assert.Equal((a, b), (m.DropFrom, m.To)));

        // By process memory both are at 500: nothing moves.
        state.Rebalance = RebalanceSettings.Default with { Measure = RebalanceMeasure.Process };
        Assert.Empty(state.PlanRebalance(null));

        // Once b's growth is older than the recent-to-old time, it counts: nothing moves by optimistic either.
        state.Rebalance = RebalanceSettings.Default;
        b.RecordMemory(500, 0, 41_000, s_window);
        Assert.Equal(500L, SchedulerState.RebalanceMemory(b, RebalanceMeasure.Optimistic));
        Assert.Empty(state.PlanRebalance(null));

        // A worker that has not reported its process memory: every worker is weighed by managed memory.
        state.AddWorker("w3", 1).OwnsProcess = true;
        Assert.Equal(RebalanceMeasure.Managed, state.RebalanceMeasureNow());
    }

    [Fact]
    public void FromConfig_HasDasksDefaults_ReadsEveryKey_AndNamesTheKeyAndValueOfABadOne()
    {
        Assert.Equal(RebalanceSettings.Default, RebalanceSettings.FromConfig());
        Assert.Equal(new RebalanceSettings(RebalanceMeasure.Optimistic, 0.30, 0.60, 0.10, TimeSpan.FromSeconds(30), 50_000_000), RebalanceSettings.Default);

        using (TesseraConfig.Set(
            (RebalanceSettings.MeasureKey, "managed-total"),
            (RebalanceSettings.SenderMinKey, 0.5),
            (RebalanceSettings.RecipientMaxKey, "0.7"),
            (RebalanceSettings.GapKey, 0),
            (RebalanceSettings.RecentToOldKey, 2.5),
            (RebalanceSettings.MessageBytesKey, 1_000_000L)))
        {
            Assert.Equal(new RebalanceSettings(RebalanceMeasure.ManagedTotal, 0.5, 0.7, 0, TimeSpan.FromSeconds(2.5), 1_000_000), RebalanceSettings.FromConfig());
        }

        using (TesseraConfig.Set((RebalanceSettings.MeasureKey, "PROCESS"), (RebalanceSettings.RecentToOldKey, "00:01:00")))
        {
            RebalanceSettings s = RebalanceSettings.FromConfig();
            Assert.Equal((RebalanceMeasure.Process, TimeSpan.FromMinutes(1)), (s.Measure, s.RecentToOld));
        }

        // Dask's own spellings: sizes and durations with units.
        using (TesseraConfig.Set((RebalanceSettings.RecentToOldKey, "45s"), (RebalanceSettings.MessageBytesKey, "20MB")))
        {
            RebalanceSettings s = RebalanceSettings.FromConfig();
            Assert.Equal((TimeSpan.FromSeconds(45), 20_000_000L), (s.RecentToOld, s.MessageBytes));
        }

        foreach ((string key, object value) in new (string, object)[]
        {
            (RebalanceSettings.MeasureKey, "median"),
            (RebalanceSettings.SenderMinKey, 1.5),
            (RebalanceSettings.RecipientMaxKey, -0.1),
            (RebalanceSettings.GapKey, "wide"),
            (RebalanceSettings.GapKey, double.NaN),
            (RebalanceSettings.RecentToOldKey, -1),
            (RebalanceSettings.MessageBytesKey, 0),
            (RebalanceSettings.MessageBytesKey, "50 parsecs"),
            (RebalanceSettings.RecentToOldKey, "soon"),
        })
        {
            using (TesseraConfig.Set((key, value)))
            {
                ArgumentException e = Assert.Throws<ArgumentException>(RebalanceSettings.FromConfig);
                Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
                Assert.Contains($"'{Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}'", e.Message, StringComparison.Ordinal);
            }
        }
    }
}
