using Tessera.Graphs;

namespace Tessera.Distributed;

/// <summary>
/// A task was running on more workers that died than the scheduler allows (Dask's <c>KilledWorker</c>,
/// <see cref="SchedulerOptions.AllowedFailures"/>): the task probably crashes or exhausts its worker, so
/// the scheduler stopped trying it. Tasks that depend on it fail with this exception too; the rest of
/// the cluster keeps working.
/// </summary>
public sealed class KilledWorkerException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    public KilledWorkerException()
    {
        Key = new Key("unknown");
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">One sentence that names the task and the fix.</param>
    public KilledWorkerException(string message)
        : base(message)
    {
        Key = new Key("unknown");
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">One sentence that names the task and the fix.</param>
    /// <param name="innerException">The cause.</param>
    public KilledWorkerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = new Key("unknown");
    }

    /// <summary>Creates the exception for a task.</summary>
    /// <param name="key">The key of the task that was running when its workers died.</param>
    /// <param name="message">The scheduler's message, which names the task, the last worker and the number of deaths.</param>
    public KilledWorkerException(Key key, string message)
        : base(message)
    {
        Key = key;
    }

    /// <summary>Gets the key of the task that was running when its workers died.</summary>
    public Key Key { get; }
}
