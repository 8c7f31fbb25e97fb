using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Diagnostics;

/// <summary>
/// Records when and where every task runs (Dask's <c>Profiler</c>): its key, start and end, the
/// worker and the thread. Summarizes the records per key prefix, as a table, and draws them as an
/// SVG timeline.
/// </summary>
/// <remarks>
/// <para>Activate it around the computations to profile:
/// <c>using (profiler.Activate()) { x.Compute(); }</c>, then read <see cref="Results"/>,
/// <see cref="Summary"/>, <see cref="ToTable"/> or <see cref="WriteTimeline"/>. Records of several
/// computations accumulate until <see cref="Clear"/>; all times count from the start of the first
/// computation profiled.</para>
/// <para>Recording is cheap: each computation gets a buffer with one slot per task, and a task's
/// record is written into the next free slot without a lock. A task that fails is not recorded.
/// A computation nested inside a task is recorded too, but the enclosing task's start is then
/// approximate.</para>
/// </remarks>
public sealed class Profiler : SchedulerCallback
{
    [ThreadStatic]
    private static long t_taskStart;

    private readonly Lock _lock = new();
    private readonly List<TaskRecord> _results = [];
    private Session? _session;
    private int _depth;
    private long _epoch;
    private long _lastFinish;

    /// <summary>Gets a copy of the records of the finished computations, in the order the tasks ended.</summary>
    public IReadOnlyList<TaskRecord> Results
    {
        get
        {
            lock (_lock)
            {
                return [.. _results];
            }
        }
    }

    /// <summary>
    /// Gets the wall time from the start of the first profiled computation to the end of the last
    /// one (or to now, while one runs); zero before the first.
    /// </summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return _epoch == 0 ? TimeSpan.Zero
                    : _depth > 0 ? Stopwatch.GetElapsedTime(_epoch)
                    : Stopwatch.GetElapsedTime(_epoch, _lastFinish);
            }
        }
    }

    /// <summary>Gets the <see cref="Stopwatch"/> timestamp the records' times count from (0 before the first computation).</summary>
    internal long Epoch
    {
        get
        {
            lock (_lock)
            {
                return _epoch;
            }
        }
    }

    /// <summary>Forgets every record; the next computation starts the clock again.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _results.Clear();
            if (_depth == 0)
            {
                _epoch = 0;
                _lastFinish = 0;
            }
        }
    }

    /// <inheritdoc/>
    public override void OnStart(ComputeStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_lock)
        {
            if (_depth++ > 0)
            {
                return;
            }

            long now = Stopwatch.GetTimestamp();
            if (_epoch == 0)
            {
                _epoch = now;
            }

            Volatile.Write(ref _session, new Session(info.TaskCount, _epoch));
        }
    }

    /// <inheritdoc/>
    public override void OnTaskStart(Key key, int worker) => t_taskStart = Stopwatch.GetTimestamp();

    /// <inheritdoc/>
    public override void OnTaskEnd(Key key, object? result, int worker)
    {
        long end = Stopwatch.GetTimestamp();
        Session? session = Volatile.Read(ref _session);
        if (session is null)
        {
            return;
        }

        long start = t_taskStart;
        if (start < session.Epoch || start > end)
        {
            start = end;
        }

        session.Add(new TaskRecord(
            key,
            Stopwatch.GetElapsedTime(session.Epoch, start),
            Stopwatch.GetElapsedTime(session.Epoch, end),
            worker,
            Environment.CurrentManagedThreadId));
    }

    /// <inheritdoc/>
    public override void OnFinish(bool failed)
    {
        lock (_lock)
        {
            if (_depth == 0 || --_depth > 0)
            {
                return;
            }

            _lastFinish = Stopwatch.GetTimestamp();
            Session? session = _session;
            Volatile.Write(ref _session, null);
            if (session is not null && session.Epoch == _epoch)
            {
                session.CopyTo(_results);
            }
        }
    }

    /// <summary>Summarizes the records per key prefix, the prefix with the largest total first.</summary>
    /// <returns>One summary per prefix.</returns>
    public IReadOnlyList<PrefixSummary> Summary() => Summarize(Results);

    /// <summary>Renders <see cref="Summary"/> as a text table.</summary>
    /// <param name="width">The width of the text, in characters.</param>
    /// <returns>The table, lines separated by newlines, without colors or escape codes.</returns>
    public string ToTable(int width = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 20);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Write(BuildTable());
        return writer.ToString();
    }

    /// <summary>Writes <see cref="Summary"/> as a table to a Spectre.Console console.</summary>
    /// <param name="console">The console, such as <see cref="AnsiConsole.Console"/>.</param>
    public void WriteTable(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Write(BuildTable());
    }

    /// <summary>
    /// Draws the records as a standalone SVG timeline: one row per worker, one rectangle per task
    /// coloured by key prefix (hover shows the key and duration), a time axis and a legend. The
    /// file is replaced only once it is completely written.
    /// </summary>
    /// <param name="path">The file to write, usually ending in <c>.svg</c>.</param>
    /// <param name="title">The title above the timeline; by default a line with the task count and wall time.</param>
    public void WriteTimeline(string path, string? title = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IReadOnlyList<TaskRecord> records = Results;
        ReportFile.WriteAtomically(path, TimelineSvg.Render(records, Summarize(records), Elapsed, title));
    }

    internal static List<PrefixSummary> Summarize(IReadOnlyList<TaskRecord> records)
    {
        var groups = new Dictionary<string, (int Count, long Total, long Max)>(StringComparer.Ordinal);
        foreach (TaskRecord r in records)
        {
            string prefix = r.Key.Prefix;
            long ticks = r.Duration.Ticks;
            groups[prefix] = groups.TryGetValue(prefix, out (int Count, long Total, long Max) g)
                ? (g.Count + 1, g.Total + ticks, Math.Max(g.Max, ticks))
                : (1, ticks, ticks);
        }

        return [.. groups
            .Select(g => new PrefixSummary(g.Key, g.Value.Count, TimeSpan.FromTicks(g.Value.Total), TimeSpan.FromTicks(g.Value.Total / g.Value.Count), TimeSpan.FromTicks(g.Value.Max)))
            .OrderByDescending(s => s.Total)
            .ThenBy(s => s.Prefix, StringComparer.Ordinal)];
    }

    private Table BuildTable()
    {
        IReadOnlyList<TaskRecord> records = Results;
        List<PrefixSummary> summary = Summarize(records);
        TimeSpan busy = TimeSpan.FromTicks(summary.Sum(s => s.Total.Ticks));
        TimeSpan wall = Elapsed;
        int workers = records.Select(r => r.Worker).Distinct().Count();

        var table = new Table()
            .Border(TableBorder.Rounded)
            .AddColumn("Prefix")
            .AddColumn(new TableColumn("Tasks").RightAligned())
            .AddColumn(new TableColumn("Total").RightAligned())
            .AddColumn(new TableColumn("Mean").RightAligned())
            .AddColumn(new TableColumn("Max").RightAligned())
            .AddColumn(new TableColumn("Share").RightAligned());
        table.Title = new TableTitle("Profile");
        foreach (PrefixSummary s in summary)
        {
            table.AddRow(
                new Text(s.Prefix),
                new Text(s.Count.ToString("N0", CultureInfo.InvariantCulture)),
                new Text(TimeFormat.Short(s.Total)),
                new Text(TimeFormat.Short(s.Mean)),
                new Text(TimeFormat.Short(s.Max)),
                new Text(busy > TimeSpan.Zero ? (s.Total / busy).ToString("P1", CultureInfo.InvariantCulture) : "-"));
        }

        string parallelism = wall > TimeSpan.Zero ? (busy / wall).ToString("0.0", CultureInfo.InvariantCulture) + "x" : "-";
        table.Caption = new TableTitle(string.Create(
            CultureInfo.InvariantCulture,
            $"{records.Count:N0} tasks on {workers} worker(s), {TimeFormat.Short(busy)} busy in {TimeFormat.Short(wall)} wall ({parallelism})"));
        return table;
    }

    /// <summary>The records of one computation: a preallocated buffer filled without locks.</summary>
    private sealed class Session(int capacity, long epoch)
    {
        private readonly TaskRecord[] _buffer = new TaskRecord[capacity];
        private ConcurrentQueue<TaskRecord>? _overflow;
        private int _count;

        public long Epoch => epoch;

        public void Add(in TaskRecord record)
        {
            int slot = Interlocked.Increment(ref _count) - 1;
            if (slot < _buffer.Length)
            {
                _buffer[slot] = record;
            }
            else
            {
                // Nested computations bring more tasks than the buffer was made for.
                LazyInitializer.EnsureInitialized(ref _overflow).Enqueue(record);
            }
        }

        public void CopyTo(List<TaskRecord> list)
        {
            list.AddRange(_buffer.AsSpan(0, Math.Min(Volatile.Read(ref _count), _buffer.Length)));
            if (_overflow is not null)
            {
                list.AddRange(_overflow);
            }
        }
    }
}
