#!/usr/bin/perl
# Benchmark: `view` of a typical topic against the same Apache serving a
# static file of the same bytes, side by side in one run (the machines are
# shared and noisy, so the two are measured in alternating rounds and the
# medians compared).  Prints requests/s, mean latency and the ratio, first
# with one client at a time (the latency: what one view costs the server,
# plus the loopback round trip that the static file pays too), then with two
# (the throughput of the two cores).
#
#   perl -I t/lib t/bench/view.pl [--requests N] [--concurrency C] [--rounds R]
use strict;
use warnings;
use Getopt::Long;
use Cwiki::Test qw(shipped_site shared_dir http start_httpd);

my ($n, $c, $rounds) = (4000, undef, 5);
GetOptions('requests=i' => \$n, 'concurrency=i' => \$c, 'rounds=i' => \$rounds) or die;
system('command -v ab >/dev/null') == 0 or die "ab (apache2-utils) is needed\n";

sub ab {
    my ($url, $c) = @_;
    my $out = `ab -q -k -n $n -c $c '$url' 2>&1`;
    my ($rps) = $out =~ /Requests per second:\s+([\d.]+)/ or die "ab failed on $url:\n$out";
    my ($ms)  = $out =~ /Time per request:\s+([\d.]+) \[ms\] \(mean\)/;
    my ($failed) = $out =~ /Failed requests:\s+(\d+)/;
    my ($non2xx) = $out =~ /Non-2xx responses:\s+(\d+)/;
    die "ab saw failures on $url:\n$out" if $failed || $non2xx;
    return ($rps, $ms);
}

sub median { my @s = sort { $a <=> $b } @_; return $s[$#s / 2] }

sub compare {
    my ($label, $root, $path, $c) = @_;
    my $htdocs = File::Temp::tempdir(CLEANUP => 1);
    chmod 0755, $htdocs;
    my $httpd = start_httpd(root => $root, htdocs => $htdocs);
    my $page = http()->get($httpd->url($path));
    die "$path: $page->{status}\n" unless $page->{status} == 200;
    open(my $fh, '>:raw', "$htdocs/same-bytes.html") or die;
    print {$fh} $page->{content};
    close $fh;
    chmod 0644, "$htdocs/same-bytes.html";
    my (@w, @s, @wl, @sl);
    ab($httpd->url($path), $c);    # warm-up
    for (1 .. $rounds) {
        my ($r, $l) = ab($httpd->url($path), $c);
        push @w, $r; push @wl, $l;
        ($r, $l) = ab($httpd->url('/same-bytes.html'), $c);
        push @s, $r; push @sl, $l;
    }
    my ($wr, $sr, $wl, $sl) = (median(@w), median(@s), median(@wl), median(@sl));
    printf "%-31s %6d bytes  cwiki %6.0f req/s %6.3f ms | static %6.0f req/s %6.3f ms | "
      . "cwiki/static %.2f%s\n",
      $label, length($page->{content}), $wr, $wl, $sr, $sl, $wr / $sr,
      $c == 1 ? sprintf(" | view adds %.3f ms", $wl - $sl) : '';
    my @crash = $httpd->crashes;
    die "workers crashed:\n@crash\n" if @crash;
}

for my $clients (defined $c ? ($c) : (1, 2)) {
    print "view vs a static file of the same bytes: $rounds rounds of ab -k -n $n -c $clients, "
      . "medians\n";
    compare('shipped Main/WebHome', shipped_site(), '/foswiki/Main/WebHome', $clients);
    compare('shipped System/TextFormatting', shipped_site(), '/foswiki/System/TextFormatting',
      $clients);
    if (my $shared = shared_dir()) {
        compare('foswiki System/WebHome', "$shared/foswiki", '/foswiki/System/WebHome', $clients);
    }
}
