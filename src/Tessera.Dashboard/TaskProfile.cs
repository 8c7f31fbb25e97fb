using Tessera.Distributed;

namespace Tessera.Dashboard;

/// <summary>Where time goes, for the Profile page: the task stream's runs summed by task prefix, and by prefix and worker.</summary>
internal static class TaskProfile
{
    public static ProfileJson Build(IReadOnlyList<TaskStreamRecord> stream)
    {
        // Task runs only: transfers and disk writes and reads are the workers' time, not the tasks'.
        TaskStreamRecord[] records = [.. stream.Where(r => r.Kind == TaskStreamKind.Compute)];
        var byPrefix = new Dictionary<string, (Accumulator All, Dictionary<string, Accumulator> ByWorker)>(StringComparer.Ordinal);
        var byWorker = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        double first = double.PositiveInfinity, last = double.NegativeInfinity;
        foreach (TaskStreamRecord r in records)
        {
            double seconds = Math.Max(0, r.Stop - r.Start);
            if (!byPrefix.TryGetValue(r.Prefix, out var prefix))
            {
                prefix = (new Accumulator(), new Dictionary<string, Accumulator>(StringComparer.Ordinal));
                byPrefix[r.Prefix] = prefix;
            }

            prefix.All.Add(seconds);
            Accumulator.For(prefix.ByWorker, r.Worker).Add(seconds);
            Accumulator.For(byWorker, r.Worker).Add(seconds);
            first = Math.Min(first, r.Start);
            last = Math.Max(last, r.Stop);
        }

        PrefixProfileJson[] prefixes = [.. byPrefix
            .Select(p => new PrefixProfileJson(
                p.Key, p.Value.All.Count, p.Value.All.Total, p.Value.All.Total / p.Value.All.Count, p.Value.All.Max,
                [.. p.Value.ByWorker.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => new WorkerTimeJson(w.Key, w.Value.Count, w.Value.Total))]))
            .OrderByDescending(p => p.TotalSeconds)
            .ThenBy(p => p.Prefix, StringComparer.Ordinal)];
        WorkerTimeJson[] workers = [.. byWorker.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => new WorkerTimeJson(w.Key, w.Value.Count, w.Value.Total))];
        return new ProfileJson(records.Length, records.Length == 0 ? 0 : last - first, prefixes, workers);
    }

    private sealed class Accumulator
    {
        public int Count { get; private set; }

        public double Total { get; private set; }

        public double Max { get; private set; }

        public static Accumulator For(Dictionary<string, Accumulator> table, string name)
        {
            if (!table.TryGetValue(name, out Accumulator? a))
            {
                a = new Accumulator();
                table[name] = a;
            }

            return a;
        }

        public void Add(double seconds)
        {
            Count++;
            Total += seconds;
            Max = Math.Max(Max, seconds);
        }
    }
}
