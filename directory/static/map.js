// Maps on the results, service and plan pages (Leaflet, vendored by `make install`). Progressive:
// without this file, Leaflet or the tiles, the page's list and text say everything the map
// would. Each marker is a button reached with Tab (Leaflet's keyboard markers) whose name is
// the service and place; its popup holds the same name and link as the list.

const L = window.L
// Markers closer than this on screen are drawn as one cluster (a button saying how many
// services it holds, which zooms in), so that no marker covers another (WCAG 2.5.8).
const CLUSTER_RADIUS = 32

function clusterIcon (cluster) {
  const count = cluster.getChildCount()
  const html = `<span aria-hidden="true">${count}</span>` +
    `<span class="nhsuk-u-visually-hidden">${count} services here: select to zoom in</span>`
  const icon = L.divIcon({ html, className: 'map-cluster', iconSize: L.point(40, 40) })
  icon.options.count = count
  return icon
}

function popup (point) {
  const box = document.createElement('div')
  const name = document.createElement(point.url ? 'a' : 'strong')
  name.textContent = point.name
  if (point.url) name.href = point.url
  box.append(name)
  if (point.place) {
    const place = document.createElement('div')
    place.textContent = point.place
    box.append(place)
  }
  if (point.directions) {
    const link = document.createElement('a')
    link.href = point.directions
    link.textContent = 'Get directions'
    box.append(link)
  }
  return box
}

function draw (box) {
  if (box.dataset.drawn) return
  box.dataset.drawn = '1'
  const status = box.querySelector('[data-map-status]')
  const canvas = box.querySelector('[data-map-canvas]')
  const points = JSON.parse(box.dataset.points)
  const map = L.map(canvas, { scrollWheelZoom: false, keyboard: true })
  let failed = false
  const tiles = L.tileLayer(box.dataset.tiles, {
    attribution: box.dataset.attribution,
    maxZoom: 19,
    // OpenStreetMap's tile policy asks for a Referer; the site sends only its origin.
    referrerPolicy: 'strict-origin-when-cross-origin'
  })
  tiles.on('tileerror', () => {
    if (failed) return
    failed = true
    box.classList.add('map--failed')
    status.textContent = 'The map could not load. Every service on it is in the list.'
  })
  tiles.addTo(map)
  const group = L.markerClusterGroup
    ? L.markerClusterGroup({
      maxClusterRadius: CLUSTER_RADIUS,
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false
    })
    : L.featureGroup()
  for (const point of points) {
    const label = point.place ? `${point.name}, ${point.place}` : point.name
    const marker = L.marker([point.lat, point.lon], { title: label, alt: label, keyboard: true })
    marker.bindPopup(popup(point))
    group.addLayer(marker)
  }
  group.addTo(map)
  map.fitBounds(group.getBounds(), { maxZoom: 15, padding: [24, 24] })
}

if (L) {
  for (const box of document.querySelectorAll('[data-map]')) {
    if (!box.hasAttribute('data-map-lazy')) {
      box.hidden = false
      // A map's own heading, if it has one, shows with it (the plan's "On a map").
      const wrap = box.closest('[data-map-wrap]')
      if (wrap) wrap.hidden = false
      draw(box)
    }
  }
  // The results pages' List / Map switch: the map shows the same services as the list.
  const toggle = document.querySelector('[data-view-toggle]')
  const box = document.getElementById('results-map')
  const list = document.getElementById('results')
  if (toggle && box && list) {
    toggle.hidden = false
    for (const button of toggle.querySelectorAll('button')) {
      button.addEventListener('click', () => {
        const showMap = button.dataset.view === 'map'
        for (const other of toggle.querySelectorAll('button')) {
          other.setAttribute('aria-pressed', String(other === button))
        }
        box.hidden = !showMap
        list.hidden = showMap
        if (showMap) draw(box)
      })
    }
  }
}
