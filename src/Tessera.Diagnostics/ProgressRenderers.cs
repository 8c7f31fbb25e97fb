using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Tessera.Diagnostics;

/// <summary>Draws a <see cref="ProgressBar"/>; calls are serialized by the bar.</summary>
internal abstract class ProgressRenderer
{
    /// <summary>Gets a value indicating whether the bar is redrawn in place.</summary>
    public abstract bool IsLive { get; }

    /// <summary>Gets or sets a value indicating whether anything was drawn yet.</summary>
    public bool HasShown { get; protected set; }

    /// <summary>Draws the state of a running computation.</summary>
    public abstract void Update(int done, int total, TimeSpan elapsed);

    /// <summary>Draws the final state.</summary>
    public abstract void Complete(int done, int total, TimeSpan elapsed, bool failed);

    /// <summary>Dask's bar line plus the task count: <c>[####    ] |  50% Completed | 2/4 tasks | 0.3s</c>.</summary>
    public static string Line(int done, int total, TimeSpan elapsed, bool failed, int width)
    {
        double fraction = total <= 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        int filled = (int)(width * fraction);
        int percent = (int)(100 * fraction);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string(' ', width - filled)}] | {percent,3}% {(failed ? "Failed" : "Completed")} | {done}/{total} tasks | {TimeFormat.Elapsed(elapsed)}");
    }
}

/// <summary>Plain lines for redirected output: one per update, nothing redrawn.</summary>
internal sealed class PlainProgressRenderer(TextWriter writer, int width) : ProgressRenderer
{
    private int _lastDone = -1;

    public override bool IsLive => false;

    public override void Update(int done, int total, TimeSpan elapsed)
    {
        if (done != _lastDone)
        {
            Write(done, total, elapsed, failed: false);
        }
    }

    public override void Complete(int done, int total, TimeSpan elapsed, bool failed) => Write(done, total, elapsed, failed);

    private void Write(int done, int total, TimeSpan elapsed, bool failed)
    {
        _lastDone = done;
        HasShown = true;
        writer.WriteLine(Line(done, total, elapsed, failed, width));
        writer.Flush();
    }
}

/// <summary>A live bar drawn by Spectre.Console's progress display on an interactive console.</summary>
internal sealed class LiveProgressRenderer : ProgressRenderer
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);
    private readonly IAnsiConsole _console;
    private readonly ProgressBarOptions _options;
    private readonly long _started;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _display;
    private ProgressTask? _task;
    private PlainProgressRenderer? _fallback;
    private int _done;
    private int _total;
    private bool _failed;
    private TimeSpan? _finalElapsed;

    public LiveProgressRenderer(IAnsiConsole console, ProgressBarOptions options, long started)
    {
        _console = console;
        _options = options;
        _started = started;
    }

    public override bool IsLive => _fallback is null;

    public override void Update(int done, int total, TimeSpan elapsed)
    {
        Volatile.Write(ref _done, done);
        Volatile.Write(ref _total, total);
        if (_fallback is null && _display is null)
        {
            Start();
        }

        if (_fallback is not null)
        {
            _fallback.Update(done, total, elapsed);
            return;
        }

        if (Volatile.Read(ref _task) is { } task)
        {
            Apply(task);
        }
    }

    public override void Complete(int done, int total, TimeSpan elapsed, bool failed)
    {
        Volatile.Write(ref _done, done);
        Volatile.Write(ref _total, total);
        _failed = failed;
        _finalElapsed = elapsed;
        if (_display is null || _fallback is not null)
        {
            // Never drawn live (the computation ended before the first refresh): one plain line.
            (_fallback ??= new PlainProgressRenderer(_console.Profile.Out.Writer, _options.Width)).Complete(done, total, elapsed, failed);
            return;
        }

        _finished.TrySetResult();
        try
        {
            _display.Wait(s_closeTimeout);
        }
        catch (AggregateException)
        {
            // The display failed; there is nothing left to draw on.
        }
    }

    private TimeSpan Elapsed => _finalElapsed ?? Stopwatch.GetElapsedTime(_started);

    private void Start()
    {
        HasShown = true;
        Progress progress = _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new CountColumn(this),
                new ElapsedColumn(this));
        progress.RefreshRate = _options.RefreshInterval;
        _display = progress.StartAsync(async context =>
        {
            ProgressTask task = context.AddTask("Computing", autoStart: true, maxValue: 1);
            Apply(task);
            Volatile.Write(ref _task, task);
            await _finished.Task.ConfigureAwait(false);
            Apply(task);
            task.Description = _failed ? "[red]Failed[/]" : "[green]Completed[/]";
            task.StopTask();
        });
        if (_display.IsFaulted)
        {
            // Another live display owns the console: fall back to plain lines on it.
            _ = _display.Exception;
            _display = null;
            _fallback = new PlainProgressRenderer(_console.Profile.Out.Writer, _options.Width);
        }
    }

    private void Apply(ProgressTask task)
    {
        int total = Volatile.Read(ref _total);
        task.MaxValue = Math.Max(total, 1);
        task.Value = total == 0 ? 1 : Volatile.Read(ref _done);
    }

    private sealed class CountColumn(LiveProgressRenderer owner) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{Volatile.Read(ref owner._done)}/{Volatile.Read(ref owner._total)} tasks"));
    }

    private sealed class ElapsedColumn(LiveProgressRenderer owner) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(TimeFormat.Elapsed(owner.Elapsed), new Style(Color.Blue));
    }
}
