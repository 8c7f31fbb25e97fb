namespace Tessera.Distributed;

/// <summary>
/// A worker's memory limit and Dask's thresholds, as fractions of it (<c>distributed.worker.memory.*</c>):
/// above <see cref="TargetFraction"/> of the limit in held results, the worker spills the least recently
/// used results to disk under <see cref="LocalDirectory"/> and reads them back when they are needed; above
/// <see cref="SpillFraction"/> of the limit in process memory (managed and unmanaged: the resident set) it
/// spills until the process is back below the target; above <see cref="PauseFraction"/> it starts no new
/// tasks until memory drops. A threshold of null is off.
/// </summary>
public sealed record WorkerMemoryOptions
{
    /// <summary>Gets the memory limit in bytes; 0 (the default) for none, which turns every threshold off.</summary>
    public long Limit { get; init; }

    /// <summary>Gets the fraction of the limit that held results may take before the worker spills them to disk; default 0.6.</summary>
    public double? TargetFraction { get; init; } = 0.6;

    /// <summary>Gets the fraction of the limit in process memory above which the worker spills until it is below the target; default 0.7.</summary>
    public double? SpillFraction { get; init; } = 0.7;

    /// <summary>Gets the fraction of the limit in process memory above which the worker starts no new tasks and fetches no inputs, and the scheduler sends it no new tasks while other workers run (Dask's paused status); default 0.8.</summary>
    public double? PauseFraction { get; init; } = 0.8;

    /// <summary>
    /// Gets the fraction of the limit in process memory above which a worker process stops itself, so
    /// that its nanny (<see cref="LocalCluster"/>) replaces it; default 0.95. Workers inside another
    /// process (<see cref="WorkerHost"/> in an application) never stop the process.
    /// </summary>
    public double? TerminateFraction { get; init; } = 0.95;

    /// <summary>Gets the directory spilled results go to (in a subdirectory per worker); by default the system's temporary directory.</summary>
    public string? LocalDirectory { get; init; }

    /// <summary>
    /// Gets a value indicating whether the worker has its process to itself (<c>tessera worker</c> sets it):
    /// only then do the process-memory thresholds (spill, pause, terminate) apply, since workers that share
    /// a process with an application or with each other cannot tell their memory apart. The target applies always.
    /// </summary>
    public bool OwnsProcess { get; init; }

    /// <summary>Gets how often the worker measures its process memory; default 100 ms.</summary>
    public TimeSpan MonitorInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks that the fractions are in (0, 1] and the interval is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Limit);
        foreach ((double? f, string name) in new[] { (TargetFraction, nameof(TargetFraction)), (SpillFraction, nameof(SpillFraction)), (PauseFraction, nameof(PauseFraction)), (TerminateFraction, nameof(TerminateFraction)) })
        {
            if (f is { } v && !(v > 0 && v <= 1))
            {
                throw new ArgumentOutOfRangeException(name, v, $"The memory threshold {name} must be a fraction of the limit in (0, 1], or null for off.");
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MonitorInterval, TimeSpan.Zero, nameof(MonitorInterval));
    }
}
