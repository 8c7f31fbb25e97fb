using System.Globalization;

namespace Tessera.Distributed.Scheduler;

/// <summary>Which figure of a worker's memory a rebalance evens out (Dask's <c>distributed.worker.memory.rebalance.measure</c>).</summary>
internal enum RebalanceMeasure
{
    /// <summary>The worker process's memory as its last heartbeat reported it.</summary>
    Process,

    /// <summary>
    /// The managed memory plus the unmanaged memory that is old: process memory less what grew within the
    /// last <see cref="RebalanceSettings.RecentToOld"/> and is expected to be freed (Dask's default).
    /// </summary>
    Optimistic,

    /// <summary>The bytes of the results the worker holds in memory (not spilled).</summary>
    Managed,

    /// <summary>The bytes of every result the worker holds, spilled ones included.</summary>
    ManagedTotal,
}

/// <summary>
/// How a rebalance weighs and moves data, from the configuration (Dask's keys and defaults):
/// <list type="bullet">
/// <item><c>distributed.worker.memory.rebalance.measure</c>: <c>process</c>, <c>optimistic</c> (default), <c>managed</c> or <c>managed_total</c>;</item>
/// <item><c>distributed.worker.memory.rebalance.sender-min</c> (0.30), <c>.recipient-max</c> (0.60), <c>.sender-recipient-gap</c> (0.10): fractions of a worker's memory limit;</item>
/// <item><c>distributed.worker.memory.recent-to-old-time</c> (30 seconds; a number of seconds or a duration such as <c>30s</c>): how long unmanaged memory counts as recent;</item>
/// <item><c>distributed.worker.transfer.message-bytes-limit</c> (50,000,000; a number or a size such as <c>50MB</c>): the most bytes a worker fetches from one peer in one message for a move.</item>
/// </list>
/// </summary>
/// <param name="Measure">The memory figure to even out.</param>
/// <param name="SenderMin">A worker sends data only at or above this fraction of its memory limit.</param>
/// <param name="RecipientMax">A worker takes data only below this fraction of its memory limit.</param>
/// <param name="Gap">
/// The fraction of a worker's memory limit that its memory must be from the cluster mean, half above or half
/// below, before it sends or takes data.
/// </param>
/// <param name="RecentToOld">How long an increase of a worker's unmanaged memory counts as recent (the optimistic measure leaves it out).</param>
/// <param name="MessageBytes">The most bytes of values a receiving worker asks one peer for in one message; a larger value travels alone.</param>
internal sealed record RebalanceSettings(RebalanceMeasure Measure, double SenderMin, double RecipientMax, double Gap, TimeSpan RecentToOld, long MessageBytes)
{
    /// <summary>The configuration key of <see cref="Measure"/>.</summary>
    public const string MeasureKey = "distributed.worker.memory.rebalance.measure";

    /// <summary>The configuration key of <see cref="SenderMin"/>.</summary>
    public const string SenderMinKey = "distributed.worker.memory.rebalance.sender-min";

    /// <summary>The configuration key of <see cref="RecipientMax"/>.</summary>
    public const string RecipientMaxKey = "distributed.worker.memory.rebalance.recipient-max";

    /// <summary>The configuration key of <see cref="Gap"/>.</summary>
    public const string GapKey = "distributed.worker.memory.rebalance.sender-recipient-gap";

    /// <summary>The configuration key of <see cref="RecentToOld"/>.</summary>
    public const string RecentToOldKey = "distributed.worker.memory.recent-to-old-time";

    /// <summary>The configuration key of <see cref="MessageBytes"/>.</summary>
    public const string MessageBytesKey = "distributed.worker.transfer.message-bytes-limit";

    /// <summary>Gets Dask's defaults.</summary>
    public static RebalanceSettings Default { get; } = new(RebalanceMeasure.Optimistic, 0.30, 0.60, 0.10, TimeSpan.FromSeconds(30), 50_000_000);

    /// <summary>Reads the settings from <see cref="TesseraConfig"/>, with Dask's defaults for the keys not set.</summary>
    /// <exception cref="ArgumentException">A value is out of range or not of its kind; the message names the key and the value.</exception>
    public static RebalanceSettings FromConfig()
    {
        RebalanceSettings d = Default;
        return new RebalanceSettings(
            ReadMeasure(),
            Fraction(SenderMinKey, d.SenderMin),
            Fraction(RecipientMaxKey, d.RecipientMax),
            Fraction(GapKey, d.Gap),
            ReadRecentToOld(d.RecentToOld),
            MessageBytesFromConfig());
    }

    /// <summary>Reads <see cref="MessageBytesKey"/> (Dask's default when unset): workers read it for their own fetches too.</summary>
    /// <exception cref="ArgumentException">The value is not a byte size of at least 1; the message names the key and the value.</exception>
    public static long MessageBytesFromConfig() => ReadMessageBytes(Default.MessageBytes);

    /// <summary>The name of a measure as the configuration writes it.</summary>
    public static string Name(RebalanceMeasure measure) => measure == RebalanceMeasure.ManagedTotal ? "managed_total" : measure.ToString().ToLowerInvariant();

    private static RebalanceMeasure ReadMeasure()
    {
        object? value = TesseraConfig.Get(MeasureKey);
        if (value is null)
        {
            return Default.Measure;
        }

        string text = Convert.ToString(value, CultureInfo.InvariantCulture)!.Trim().Replace('-', '_');
        foreach (RebalanceMeasure m in Enum.GetValues<RebalanceMeasure>())
        {
            if (string.Equals(text, Name(m), StringComparison.OrdinalIgnoreCase))
            {
                return m;
            }
        }

        throw Invalid(MeasureKey, value, "one of process, optimistic, managed, managed_total");
    }

    private static double Fraction(string key, double defaultValue)
    {
        object? value = TesseraConfig.Get(key);
        if (value is null)
        {
            return defaultValue;
        }

        return Number(key, value) is var f && f is >= 0 and <= 1 ? f : throw Invalid(key, value, "a fraction of the memory limit from 0 to 1");
    }

    private static TimeSpan ReadRecentToOld(TimeSpan defaultValue)
    {
        object? value = TesseraConfig.Get(RecentToOldKey);
        if (value is null)
        {
            return defaultValue;
        }

        const string Wanted = "a duration of at least 0, such as 30s, 2 minutes or 00:00:30";
        TimeSpan time;
        try
        {
            time = value switch
            {
                TimeSpan t => t,
                string s => Units.ParseTimeSpan(s),
                _ => Number(RecentToOldKey, value) is var seconds && seconds is >= 0 and <= 1e9 ? TimeSpan.FromSeconds(seconds) : TimeSpan.MinValue,
            };
        }
        catch (FormatException e)
        {
            throw Invalid(RecentToOldKey, value, Wanted, e);
        }

        return time >= TimeSpan.Zero ? time : throw Invalid(RecentToOldKey, value, Wanted);
    }

    private static long ReadMessageBytes(long defaultValue)
    {
        object? value = TesseraConfig.Get(MessageBytesKey);
        if (value is null)
        {
            return defaultValue;
        }

        const string Wanted = "a byte size of at least 1, such as 50MB";
        double bytes;
        try
        {
            bytes = value is string s ? Units.ParseBytes(s) : Number(MessageBytesKey, value);
        }
        catch (FormatException e)
        {
            throw Invalid(MessageBytesKey, value, Wanted, e);
        }

        return bytes is >= 1 and <= long.MaxValue / 2 ? (long)bytes : throw Invalid(MessageBytesKey, value, Wanted);
    }

    private static double Number(string key, object value)
    {
        try
        {
            double number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            return double.IsFinite(number) ? number : double.NaN;
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw Invalid(key, value, "a number", e);
        }
    }

    private static ArgumentException Invalid(string key, object value, string wanted, Exception? inner = null) =>
        new($"Config value '{key}' = '{Convert.ToString(value, CultureInfo.InvariantCulture)}' is not valid: it must be {wanted}.", inner);
}
