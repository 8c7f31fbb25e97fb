using System.Globalization;
using System.Net;

namespace Tessera.Dashboard;

/// <summary>Options of the dashboard.</summary>
public sealed record DashboardOptions
{
    /// <summary>The dashboard's default port, as Dask's.</summary>
    public const int DefaultPort = 8787;

    /// <summary>
    /// Gets where the dashboard listens: <c>host:port</c>, <c>:port</c> (on 127.0.0.1), a port alone, or
    /// <c>http://host:port</c>; default <c>127.0.0.1:8787</c>. Port 0 picks a free port. When the port is
    /// in use, the dashboard starts on a free port instead and says so in <see cref="Distributed.ISchedulerDashboard.Notice"/>.
    /// </summary>
    public string Address { get; init; } = "127.0.0.1:" + DefaultPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets how often open pages get an update (and at most how often the scheduler is asked for a snapshot per page); default 500 ms, at least 100 ms.</summary>
    public TimeSpan UpdateInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Reads a dashboard address (see <see cref="Address"/>) into the interface and port to listen on.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="FormatException">The address is not one of the accepted forms.</exception>
    public static IPEndPoint ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string text = address.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["http://".Length..].TrimEnd('/');
        }

        string host = "127.0.0.1";
        string portText = text;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            host = colon == 0 ? host : text[..colon].Trim('[', ']');
            portText = text[(colon + 1)..];
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            throw new FormatException($"Dashboard address '{address}' has no port from 0 to 65535; write host:port, :port or a port, as in 127.0.0.1:8787.");
        }

        IPAddress ip = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" => IPAddress.Any,
            _ when IPAddress.TryParse(host, out IPAddress? parsed) => parsed,
            _ => throw new FormatException($"Dashboard address '{address}' names host '{host}'; give an IP address (127.0.0.1, 0.0.0.0 for every interface) or localhost."),
        };
        return new IPEndPoint(ip, port);
    }
}
