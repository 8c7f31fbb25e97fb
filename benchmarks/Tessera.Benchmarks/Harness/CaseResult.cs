using System.Text.Json.Nodes;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// One measured case, serialized exactly like <c>result()</c> in shared/bench/dask/_common.py:
/// case, params, median_s, min_s, max_s, runs, times_s, cpu_s_median, tasks, us_per_task,
/// tasks_per_s, rates, then extra fields.
/// </summary>
internal sealed class CaseResult
{
    private readonly List<double> _times;
    private readonly List<double> _cpuTimes;
    private readonly JsonObject? _record;

    public CaseResult(string name, IReadOnlyList<double> times, JsonObject? parameters = null, long tasks = 0, IReadOnlyList<double>? cpuTimes = null)
    {
        if (times.Count == 0)
        {
            throw new ArgumentException("A case needs at least one timed run.", nameof(times));
        }

        Name = name;
        _times = [.. times];
        _cpuTimes = cpuTimes is null ? [] : [.. cpuTimes];
        Params = parameters ?? [];
        Tasks = tasks;
    }

    private CaseResult(JsonObject record)
    {
        _record = record;
        Name = (string?)record["case"] ?? throw new ArgumentException("The record has no case name.", nameof(record));
        _times = [.. (record["times_s"]?.AsArray() ?? []).Select(t => (double)t!)];
        _cpuTimes = [];
        Params = record["params"] as JsonObject ?? [];
        Tasks = (long?)record["tasks"] ?? 0;
    }

    /// <summary>Gets the case label; compare.py pairs Dask's and Tessera's records by it.</summary>
    public string Name { get; }

    /// <summary>Gets the case parameters.</summary>
    public JsonObject Params { get; }

    /// <summary>Gets the number of tasks (0 when not meaningful).</summary>
    public long Tasks { get; }

    /// <summary>Gets the median wall time in seconds.</summary>
    public double Median => Stats.Median(_times);

    /// <summary>Gets the amounts of work per unit, turned into rates (amount / median) like _common.py's per_s.</summary>
    public Dictionary<string, double> PerSecond { get; } = [];

    /// <summary>Gets fields appended after the standard ones.</summary>
    public JsonObject Extra { get; } = [];

    /// <summary>Wraps a finished record (from a child process) as it is.</summary>
    public static CaseResult FromJson(JsonObject record) => new(record);

    /// <summary>Builds the record.</summary>
    /// <returns>The JSON object.</returns>
    public JsonObject ToJson()
    {
        if (_record is not null)
        {
            return (JsonObject)_record.DeepClone();
        }

        double med = Median;
        var r = new JsonObject
        {
            ["case"] = Name,
            ["params"] = Params.DeepClone(),
            ["median_s"] = Math.Round(med, 6),
            ["min_s"] = Math.Round(_times.Min(), 6),
            ["max_s"] = Math.Round(_times.Max(), 6),
            ["runs"] = _times.Count,
            ["times_s"] = new JsonArray([.. _times.Select(t => (JsonNode)Math.Round(t, 6))]),
        };
        if (_cpuTimes.Count > 0)
        {
            r["cpu_s_median"] = Math.Round(Stats.Median(_cpuTimes), 6);
        }

        if (Tasks > 0)
        {
            r["tasks"] = Tasks;
            r["us_per_task"] = Math.Round(med / Tasks * 1e6, 3);
            r["tasks_per_s"] = Math.Round(Tasks / med, 1);
        }

        if (PerSecond.Count > 0)
        {
            var rates = new JsonObject();
            foreach (KeyValuePair<string, double> kv in PerSecond)
            {
                rates[kv.Key] = Math.Round(kv.Value / med, 4);
            }

            r["rates"] = rates;
        }

        foreach (KeyValuePair<string, JsonNode?> kv in Extra)
        {
            r[kv.Key] = kv.Value?.DeepClone();
        }

        return r;
    }
}

/// <summary>Small statistics helpers.</summary>
internal static class Stats
{
    /// <summary>The median as Python's statistics.median computes it (mean of the two middle values for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] v = [.. values];
        if (v.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(v);
        int mid = v.Length / 2;
        return v.Length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
