using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Spectre.Console;
using Tessera.Scheduling;

namespace Tessera.Diagnostics;

/// <summary>
/// Shows the progress of computations: tasks finished out of all, percent and elapsed time
/// (Dask's <c>ProgressBar</c>).
/// </summary>
/// <remarks>
/// <para>Activate it around the computations to follow:
/// <c>using (new ProgressBar().Activate()) { x.Compute(); }</c>.</para>
/// <para>On an interactive terminal the bar is drawn live with Spectre.Console. When output is
/// redirected (a file, a CI log) it prints plain lines instead, never carriage returns: at most one
/// per <see cref="ProgressBarOptions.PlainInterval"/> and a final one such as
/// <c>[########################################] | 100% Completed | 120/120 tasks | 1.2s</c>, or
/// <c>Failed</c> in place of <c>Completed</c> when a task failed or the computation was cancelled.
/// Computations shorter than <see cref="ProgressBarOptions.Minimum"/> print nothing.</para>
/// <para>The task hooks only increment a counter; a timer does the drawing. Computations that
/// overlap (nested in a task, or concurrent in the same async flow) are shown as one bar whose
/// total grows as each starts.</para>
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The timer lives for one computation and is disposed in OnFinish, which schedulers always call.")]
public sealed class ProgressBar : SchedulerCallback
{
    private readonly ProgressBarOptions _options;
    private readonly Lock _lock = new();
    private int _depth;
    private int _generation;
    private int _total;
    private int _done;
    private long _started;
    private Timer? _timer;
    private ProgressRenderer? _renderer;
    private TimeSpan? _lastDuration;

    /// <summary>Creates a progress bar.</summary>
    /// <param name="options">Its settings; by default <see cref="ProgressBarOptions"/>'s defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is negative (or zero for the intervals), or the width is less than 1.</exception>
    public ProgressBar(ProgressBarOptions? options = null)
    {
        options ??= new ProgressBarOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Minimum, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RefreshInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PlainInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 1, nameof(options));
        _options = options;
    }

    /// <summary>Gets the bar's settings.</summary>
    public ProgressBarOptions Options => _options;

    /// <summary>Gets how long the last computation took (Dask's <c>last_duration</c>); <see langword="null"/> before the first one ends.</summary>
    public TimeSpan? LastDuration
    {
        get
        {
            lock (_lock)
            {
                return _lastDuration;
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
                Interlocked.Add(ref _total, info.TaskCount);
                return;
            }

            int generation = ++_generation;
            Volatile.Write(ref _total, info.TaskCount);
            Volatile.Write(ref _done, 0);
            _started = Stopwatch.GetTimestamp();
            _renderer = CreateRenderer();
            TimeSpan first = _renderer.IsLive ? _options.Minimum : Max(_options.Minimum, _options.PlainInterval);

            // The timer must not capture the computation's async flow (and its active callbacks).
            using (ExecutionContext.SuppressFlow())
            {
                _timer = new Timer(_ => Tick(generation), null, first, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <inheritdoc/>
    public override void OnTaskEnd(Graphs.Key key, object? result, int worker) => Interlocked.Increment(ref _done);

    /// <inheritdoc/>
    public override void OnFinish(bool failed)
    {
        lock (_lock)
        {
            if (_depth == 0 || --_depth > 0)
            {
                return;
            }

            _generation++;
            _timer?.Dispose();
            _timer = null;
            TimeSpan elapsed = Stopwatch.GetElapsedTime(_started);
            _lastDuration = elapsed;
            ProgressRenderer renderer = _renderer!;
            _renderer = null;
            if (renderer.HasShown || elapsed >= _options.Minimum)
            {
                int total = Volatile.Read(ref _total);
                int done = failed ? Math.Min(Volatile.Read(ref _done), total) : total;
                try
                {
                    renderer.Complete(done, total, elapsed, failed);
                }
                catch (IOException)
                {
                    // The output was closed: a progress bar never fails a computation.
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void Tick(int generation)
    {
        lock (_lock)
        {
            if (generation != _generation || _renderer is null)
            {
                return;
            }

            try
            {
                _renderer.Update(Math.Min(Volatile.Read(ref _done), Volatile.Read(ref _total)), Volatile.Read(ref _total), Stopwatch.GetElapsedTime(_started));
            }
            catch (IOException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _timer?.Change(_renderer.IsLive ? _options.RefreshInterval : _options.PlainInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private ProgressRenderer CreateRenderer()
    {
        ProgressBarMode mode = _options.Mode;
        IAnsiConsole? terminal = _options.Terminal;
        if (mode == ProgressBarMode.Auto)
        {
            if (terminal is null && _options.Output is null && !Console.IsOutputRedirected)
            {
                terminal = AnsiConsole.Console;
            }

            mode = terminal is not null && terminal.Profile.Capabilities.Interactive && terminal.Profile.Capabilities.Ansi
                ? ProgressBarMode.Live
                : ProgressBarMode.Plain;
        }

        if (mode == ProgressBarMode.Live)
        {
            terminal ??= _options.Output is null
                ? AnsiConsole.Console
                : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_options.Output) });
            return new LiveProgressRenderer(terminal, _options, _started);
        }

        return new PlainProgressRenderer(_options.Output ?? terminal?.Profile.Out.Writer ?? Console.Out, _options.Width);
    }
}
