using System.Collections.Concurrent;

namespace Tessera.Scheduling;

/// <summary>
/// The schedulers Tessera knows and the choice of the default one, read from the <c>scheduler</c>
/// setting (a name or an <see cref="IScheduler"/> instance) and <c>num-workers</c>.
/// </summary>
public static class Schedulers
{
    private static readonly ConcurrentDictionary<string, Func<IScheduler>> s_named = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<int, ThreadedScheduler> s_threaded = new();

    static Schedulers()
    {
        foreach (string name in new[] { "sync", "synchronous", "single-threaded" })
        {
            s_named[name] = static () => SyncScheduler.Instance;
        }

        foreach (string name in new[] { "threads", "threading", "threaded" })
        {
            s_named[name] = static () => Threaded;
        }
    }

    /// <summary>Gets the synchronous scheduler.</summary>
    public static IScheduler Sync => SyncScheduler.Instance;

    /// <summary>Gets a threaded scheduler with <c>num-workers</c> threads (by default one per core).</summary>
    public static ThreadedScheduler Threaded
    {
        get
        {
            int threads = TesseraConfig.Get("num-workers", 0);
            if (threads <= 0)
            {
                threads = Environment.ProcessorCount;
            }

            return s_threaded.GetOrAdd(threads, static t => new ThreadedScheduler(t));
        }
    }

    private static IScheduler? s_processDefault;

    /// <summary>
    /// Gets the scheduler that computations use when none is given: the <c>scheduler</c> setting of a
    /// <see cref="TesseraConfig.Set(ValueTuple{string, object}[])"/> scope, else the process-wide default
    /// (<see cref="SetProcessDefault"/>, which a distributed client sets while it is connected), else the
    /// <c>scheduler</c> setting from files and the environment.
    /// </summary>
    public static IScheduler Default =>
        s_processDefault is { } d && !TesseraConfig.IsSetInScope("scheduler") ? d : Resolve(TesseraConfig.Get("scheduler"));

    /// <summary>Makes <paramref name="scheduler"/> the default for the whole process (Dask's "the client becomes the default scheduler").</summary>
    /// <param name="scheduler">The scheduler, or <see langword="null"/> to go back to the configured one.</param>
    /// <returns>The previous process-wide default.</returns>
    public static IScheduler? SetProcessDefault(IScheduler? scheduler) => Interlocked.Exchange(ref s_processDefault, scheduler);

    /// <summary>Restores the process-wide default only if it is still <paramref name="expected"/>.</summary>
    /// <param name="expected">The scheduler that should be the default now.</param>
    /// <param name="replacement">The scheduler to restore.</param>
    public static void RestoreProcessDefault(IScheduler expected, IScheduler? replacement) =>
        Interlocked.CompareExchange(ref s_processDefault, replacement, expected);

    /// <summary>Makes a scheduler available by name for the <c>scheduler</c> setting.</summary>
    /// <param name="name">The name.</param>
    /// <param name="factory">Returns the scheduler each time the name is resolved.</param>
    public static void Register(string name, Func<IScheduler> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        s_named[name] = factory;
    }

    /// <summary>Finds the scheduler that a setting names.</summary>
    /// <param name="setting">An <see cref="IScheduler"/>, a registered name, or <see langword="null"/> for the threaded scheduler.</param>
    /// <returns>The scheduler.</returns>
    /// <exception cref="ArgumentException">The name is not known.</exception>
    public static IScheduler Resolve(object? setting) => setting switch
    {
        null => Threaded,
        IScheduler s => s,
        string name when s_named.TryGetValue(name.Trim(), out Func<IScheduler>? factory) => factory(),
        _ => throw new ArgumentException(
            $"Scheduler '{setting}' is not known; use one of {string.Join(", ", s_named.Keys.Order(StringComparer.Ordinal))} or an IScheduler instance.",
            nameof(setting)),
    };
}
