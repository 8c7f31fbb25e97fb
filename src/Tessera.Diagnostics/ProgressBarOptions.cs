using Spectre.Console;

namespace Tessera.Diagnostics;

/// <summary>Where and how a <see cref="ProgressBar"/> draws.</summary>
public enum ProgressBarMode
{
    /// <summary>A live bar on an interactive terminal, plain lines otherwise (redirected output, CI logs).</summary>
    Auto,

    /// <summary>A live bar redrawn in place, drawn with Spectre.Console.</summary>
    Live,

    /// <summary>Plain lines, at most one per <see cref="ProgressBarOptions.PlainInterval"/>, and a final line.</summary>
    Plain,
}

/// <summary>The settings of a <see cref="ProgressBar"/> (Dask's <c>ProgressBar(minimum, width, dt, out)</c>).</summary>
public sealed record ProgressBarOptions
{
    /// <summary>
    /// Gets how long a computation runs before the bar appears; a computation that ends sooner
    /// prints nothing. By default 0.1 s (Dask's <c>minimum</c>, whose default is 0).
    /// </summary>
    public TimeSpan Minimum { get; init; } = TimeSpan.FromSeconds(0.1);

    /// <summary>Gets how often the live bar is redrawn; by default 0.1 s (Dask's <c>dt</c>).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(0.1);

    /// <summary>
    /// Gets the least time between two plain lines. A plain bar prints its first line after this
    /// long (and after <see cref="Minimum"/>), then at most one line per interval while the
    /// count of finished tasks changes, and always a final line. By default 5 s.
    /// </summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the width of the plain bar in characters; by default 40, as Dask's.</summary>
    public int Width { get; init; } = 40;

    /// <summary>Gets whether the bar is live or plain; by default <see cref="ProgressBarMode.Auto"/>.</summary>
    public ProgressBarMode Mode { get; init; } = ProgressBarMode.Auto;

    /// <summary>
    /// Gets the writer of plain lines. When it is set and <see cref="Terminal"/> is not, the bar is
    /// plain in <see cref="ProgressBarMode.Auto"/> mode. By default standard output.
    /// </summary>
    public TextWriter? Output { get; init; }

    /// <summary>
    /// Gets the Spectre.Console console the live bar is drawn on; in <see cref="ProgressBarMode.Auto"/>
    /// mode the bar is live when this console is interactive. By default <see cref="AnsiConsole.Console"/>
    /// when standard output is a terminal.
    /// </summary>
    public IAnsiConsole? Terminal { get; init; }
}
