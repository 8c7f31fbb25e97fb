using System.Diagnostics;
using Tessera.Distributed.Protocol;
using Tessera.Graphs;

namespace Tessera.Distributed.Runtime;

/// <summary>
/// The transfers and disk writes and reads a worker did since its last heartbeat, which takes them to the
/// scheduler's task stream: a bounded ring, so a worker whose heartbeats stall drops the oldest beyond
/// <see cref="Capacity"/> instead of growing.
/// </summary>
/// <remarks>Thread-safe; its lock guards only the ring, so callers may hold their own locks.</remarks>
internal sealed class WorkerStreamLog
{
    /// <summary>How many events are kept between two heartbeats.</summary>
    public const int Capacity = 1_000;

    private readonly Lock _gate = new();
    private readonly Queue<Pending> _events = new();

    /// <summary>Records an event that ran from <paramref name="startTimestamp"/> to <paramref name="stopTimestamp"/> (<see cref="Stopwatch"/> timestamps).</summary>
    public void Add(TaskStreamKind kind, Key key, int keyCount, long bytes, string? peer, long startTimestamp, long stopTimestamp)
    {
        lock (_gate)
        {
            if (_events.Count == Capacity)
            {
                _events.Dequeue();
            }

            _events.Enqueue(new Pending(kind, key, keyCount, bytes, peer, startTimestamp, stopTimestamp));
        }
    }

    /// <summary>Takes the events recorded so far, timed relative to now (the heartbeat's departure); null when there are none.</summary>
    public WorkerStreamEvent[]? Take()
    {
        lock (_gate)
        {
            if (_events.Count == 0)
            {
                return null;
            }

            long now = Stopwatch.GetTimestamp();
            WorkerStreamEvent[] events = [.. _events.Select(e => new WorkerStreamEvent(
                e.Kind, e.Key, e.KeyCount, e.Bytes, e.Peer, Stopwatch.GetElapsedTime(e.Stop, now).TotalSeconds, Stopwatch.GetElapsedTime(e.Start, e.Stop).TotalSeconds))];
            _events.Clear();
            return events;
        }
    }

    private readonly record struct Pending(TaskStreamKind Kind, Key Key, int KeyCount, long Bytes, string? Peer, long Start, long Stop);
}
