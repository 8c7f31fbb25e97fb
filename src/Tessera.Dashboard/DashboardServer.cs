using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tessera.Distributed;

namespace Tessera.Dashboard;

/// <summary>
/// The web dashboard of a scheduler (Dask's dashboard): live pages, a JSON API and Prometheus metrics,
/// served by ASP.NET Core on its own port (8787 by default, on 127.0.0.1 unless told otherwise).
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Dashboard = DashboardServer.Factory() });
/// Console.WriteLine($"Dashboard at {cluster.DashboardAddress}");
/// </code>
/// </example>
public sealed class DashboardServer : ISchedulerDashboard
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;

    private DashboardServer(WebApplication app, CancellationTokenSource stopping, Uri address, string? notice)
    {
        _app = app;
        _stopping = stopping;
        Address = address;
        Notice = notice;
    }

    /// <inheritdoc/>
    public Uri Address { get; }

    /// <inheritdoc/>
    public string? Notice { get; }

    /// <summary>Gets what starts a dashboard with <paramref name="options"/>, for <see cref="SchedulerOptions.Dashboard"/> and <see cref="LocalClusterOptions.Dashboard"/>.</summary>
    /// <param name="options">Where it listens and how often pages update; null for the defaults.</param>
    /// <returns>The factory.</returns>
    public static SchedulerDashboardFactory Factory(DashboardOptions? options = null) =>
        async (scheduler, cancellationToken) => await StartAsync(scheduler, options, cancellationToken).ConfigureAwait(false);

    /// <summary>Starts a dashboard for a scheduler. When the port is in use, it starts on a free port instead and says so in <see cref="Notice"/>.</summary>
    /// <param name="scheduler">The scheduler to show.</param>
    /// <param name="options">Where it listens and how often pages update; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running dashboard.</returns>
    /// <exception cref="FormatException">The address in <paramref name="options"/> cannot be read.</exception>
    public static async Task<DashboardServer> StartAsync(SchedulerHost scheduler, DashboardOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        options ??= new DashboardOptions();
        IPEndPoint endpoint = DashboardOptions.ParseAddress(options.Address);
        TimeSpan interval = options.UpdateInterval < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : options.UpdateInterval;
        string? notice = null;
        while (true)
        {
            var stopping = new CancellationTokenSource();
            WebApplication app = Build(scheduler.Monitor, endpoint, interval, stopping.Token);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (endpoint.Port != 0 && IsAddressInUse(e))
            {
                await app.DisposeAsync().ConfigureAwait(false);
                stopping.Dispose();
                notice = $"Port {endpoint.Port} is already in use; the dashboard runs on another port instead.";
                endpoint = new IPEndPoint(endpoint.Address, 0);
                continue;
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                stopping.Dispose();
                throw;
            }

            string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var address = new Uri(bound.EndsWith('/') ? bound : bound + "/");
            if (notice is not null)
            {
                notice = $"Port {options.Address} is already in use; the dashboard runs at {new Uri(address, "status")} instead.";
            }

            return new DashboardServer(app, stopping, address, notice);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Live update streams end first, so that stopping does not wait for them.
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
        }
    }

    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private static WebApplication Build(SchedulerMonitor monitor, IPEndPoint endpoint, TimeSpan interval, CancellationToken stopping)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = "Production",
            ApplicationName = typeof(DashboardServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();

        // The dashboard lives inside someone else's process: Ctrl+C and SIGTERM are that application's to
        // handle (the default console lifetime would take them, so the process would not stop).
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DashboardJsonContext.Default));
        // Created and disposed by the app: the listener stops with the dashboard.
        builder.Services.AddSingleton(_ => new PrometheusText(monitor.Meter));
        WebApplication app = builder.Build();
        DashboardEndpoints.Map(app, monitor, app.Services.GetRequiredService<PrometheusText>(), interval, stopping);
        return app;
    }

    /// <summary>A host lifetime that leaves the process's signals alone: the dashboard starts and stops with its scheduler.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
