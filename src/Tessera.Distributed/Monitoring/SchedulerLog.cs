namespace Tessera.Distributed;

/// <summary>How much a scheduler log line matters.</summary>
public enum SchedulerLogLevel
{
    /// <summary>Normal operation: a worker or client came or went.</summary>
    Info,

    /// <summary>Something went wrong that the scheduler works around: a lost worker, a failed task.</summary>
    Warning,

    /// <summary>A request the scheduler refused.</summary>
    Error,
}

/// <summary>One line of the scheduler's log: its own, or a worker's that came with the worker's heartbeat.</summary>
/// <param name="Sequence">The line's number (1 for the first line this scheduler logged).</param>
/// <param name="Time">When it was logged (a worker's line: on the worker's clock).</param>
/// <param name="Level">How much it matters.</param>
/// <param name="Source">Who logged it: <see cref="SchedulerLog.SchedulerSource"/>, or a worker's address.</param>
/// <param name="Message">What happened.</param>
public sealed record SchedulerLogEntry(long Sequence, DateTimeOffset Time, SchedulerLogLevel Level, string Source, string Message);

/// <summary>The scheduler's recent log lines and its workers': a ring of the last <see cref="Capacity"/>, written on the event loop and read by the monitor.</summary>
/// <remarks>A write is one array store under a lock held for nothing else, so a reader never holds up the event loop for longer than a copy of the ring.</remarks>
internal sealed class SchedulerLog
{
    /// <summary>How many lines are kept.</summary>
    public const int Capacity = 1_000;

    /// <summary>The <see cref="SchedulerLogEntry.Source"/> of the scheduler's own lines.</summary>
    public const string SchedulerSource = "scheduler";

    private readonly Lock _gate = new();
    private readonly SchedulerLogEntry[] _lines = new SchedulerLogEntry[Capacity];
    private long _count;

    public void Add(SchedulerLogLevel level, string message, string source = SchedulerSource, DateTimeOffset? time = null)
    {
        lock (_gate)
        {
            _count++;
            _lines[(_count - 1) % Capacity] = new SchedulerLogEntry(_count, time ?? DateTimeOffset.UtcNow, level, source, message);
        }
    }

    /// <summary>Copies the lines kept, oldest first, at most the newest <paramref name="limit"/>.</summary>
    public SchedulerLogEntry[] Read(int limit)
    {
        lock (_gate)
        {
            long first = Math.Max(0, Math.Max(_count - Capacity, _count - limit));
            var lines = new SchedulerLogEntry[_count - first];
            for (long i = first; i < _count; i++)
            {
                lines[i - first] = _lines[i % Capacity];
            }

            return lines;
        }
    }
}
