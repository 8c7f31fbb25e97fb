namespace Tessera.Distributed;

/// <summary>
/// A web view of a running scheduler, started and stopped by its <see cref="SchedulerHost"/>. The
/// Tessera.Dashboard package provides one (<c>DashboardServer.Factory</c>); the distributed runtime itself
/// has no web server.
/// </summary>
public interface ISchedulerDashboard : IAsyncDisposable
{
    /// <summary>Gets the dashboard's base address, as in <c>http://127.0.0.1:8787</c>.</summary>
    Uri Address { get; }

    /// <summary>Gets what the dashboard said when it started, if anything (e.g. that the asked-for port was in use and which port it took instead).</summary>
    string? Notice { get; }
}

/// <summary>Starts a dashboard for a scheduler.</summary>
/// <param name="scheduler">The scheduler to show; read its state through <see cref="SchedulerHost.Monitor"/>.</param>
/// <param name="cancellationToken">Cancels the start.</param>
/// <returns>The running dashboard.</returns>
public delegate Task<ISchedulerDashboard> SchedulerDashboardFactory(SchedulerHost scheduler, CancellationToken cancellationToken);
