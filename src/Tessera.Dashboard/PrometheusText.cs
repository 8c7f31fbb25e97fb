using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Tessera.Dashboard;

/// <summary>
/// Writes the instruments of one <see cref="Meter"/> (a scheduler monitor's) in Prometheus' text exposition
/// format (version 0.0.4), read through a <see cref="MeterListener"/>: <c>tessera.scheduler.stored</c> in
/// bytes becomes <c>tessera_scheduler_stored_bytes</c>, a counter gains <c>_total</c>, tags become labels.
/// </summary>
internal sealed class PrometheusText : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Lock _gate = new();
    private readonly MeterListener _listener = new();
    private readonly List<Instrument> _instruments = [];
    private readonly List<(Instrument Instrument, double Value, string Labels)> _samples = [];

    public PrometheusText(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter)
            {
                lock (_gate)
                {
                    _instruments.Add(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _samples.Add((instrument, value, Labels(tags))));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _samples.Add((instrument, value, Labels(tags))));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _samples.Add((instrument, value, Labels(tags))));
        _listener.Start();
    }

    /// <summary>Observes every instrument once and writes what they measured.</summary>
    public string Write()
    {
        lock (_gate)
        {
            _samples.Clear();
            _listener.RecordObservableInstruments();
            var b = new StringBuilder(2048);
            foreach (Instrument instrument in _instruments)
            {
                string name = Name(instrument);
                b.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description).Append('\n');
                b.Append("# TYPE ").Append(name).Append(' ').Append(IsCounter(instrument) ? "counter" : "gauge").Append('\n');
                foreach ((Instrument _, double value, string labels) in _samples.Where(s => s.Instrument == instrument))
                {
                    b.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return b.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The Prometheus name of an instrument: dots become underscores, the unit a suffix (bytes, seconds, percent), counters end in <c>_total</c>.</summary>
    internal static string Name(Instrument instrument)
    {
        string name = instrument.Name.Replace('.', '_');
        name += instrument.Unit switch
        {
            "By" => "_bytes",
            "s" => "_seconds",
            "%" => "_percent",
            _ => string.Empty,
        };
        return IsCounter(instrument) ? name + "_total" : name;
    }

    // Monotonic counters only; an up-down counter is a gauge to Prometheus.
    private static bool IsCounter(Instrument instrument) =>
        instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal) || instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal);

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var b = new StringBuilder("{");
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (b.Length > 1)
            {
                b.Append(',');
            }

            b.Append(tag.Key).Append("=\"").Append(Escape(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty)).Append('"');
        }

        return b.Append('}').ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
