using System.Globalization;

namespace Tessera.Distributed;

/// <summary>
/// The limits a <see cref="WorkerNanny"/> supervises its worker process with: how often it starts a fresh one,
/// and how long a worker it stops has to stop in good order. <c>tessera worker --nanny-*</c> options and
/// <see cref="LocalClusterOptions.Nanny"/> set them.
/// </summary>
public sealed record NannyOptions
{
    /// <summary>Gets how many worker processes in a row may die before they join the scheduler before the nanny gives up; default 3.</summary>
    public int MaxFailedStarts { get; init; } = 3;

    /// <summary>
    /// Gets the back-off before a fresh worker process when the last one died before it joined: this long after
    /// the first such death, twice as long after the second in a row, and so on; default 1 second. A worker
    /// that died after it joined, or that the scheduler asked to restart, is replaced at once.
    /// </summary>
    public TimeSpan RestartBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets the most worker processes the nanny replaces (after a death or a hang) within <see cref="RestartWindow"/>
    /// before it gives up, or null (the default, as Dask's nanny) for no limit.
    /// </summary>
    public int? MaxRestarts { get; init; }

    /// <summary>Gets the window <see cref="MaxRestarts"/> counts in; default 1 minute.</summary>
    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets how long a worker process that the nanny stops (its standard input closes: the nanny is stopped, or
    /// the worker retired) has to stop in good order before the nanny kills it; default 10 seconds.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    // Checked where they are given: a bad value names the operation, the option and the value.
    internal void Check(string operation)
    {
        if (MaxFailedStarts < 1)
        {
            throw Bad(nameof(MaxFailedStarts), MaxFailedStarts.ToString(CultureInfo.InvariantCulture), "at least 1");
        }

        if (RestartBackoff < TimeSpan.Zero)
        {
            throw Bad(nameof(RestartBackoff), RestartBackoff.ToString(), "zero or more");
        }

        if (MaxRestarts is < 1)
        {
            throw Bad(nameof(MaxRestarts), MaxRestarts.Value.ToString(CultureInfo.InvariantCulture), "at least 1, or null for no limit");
        }

        if (RestartWindow <= TimeSpan.Zero)
        {
            throw Bad(nameof(RestartWindow), RestartWindow.ToString(), "more than zero");
        }

        if (StopTimeout < TimeSpan.Zero)
        {
            throw Bad(nameof(StopTimeout), StopTimeout.ToString(), "zero or more");
        }

        ArgumentOutOfRangeException Bad(string option, string value, string must) =>
            new(option, $"{operation}: NannyOptions.{option} is {value}; it must be {must}.");
    }
}
